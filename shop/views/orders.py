"""An order's confirmation page, for the customer or the browser session that placed it."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from partials.responses import HtmxHttpRequest, private_page, render_page
from shop.models import Order
from shop.queries import orders as order_queries


@require_safe
@private_page
def order_detail(request: HtmxHttpRequest, token) -> HttpResponse:
    """An order's confirmation page, for its owner only (404 for anyone else)."""
    try:
        order = order_queries.order_page(
            token=token, session=request.session, customer=request.user
        )
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    return render_page(request, "shop/order_detail.html", {"order": order})

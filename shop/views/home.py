from django.http import HttpResponse
from django.views.decorators.http import require_GET

from partials.responses import HtmxHttpRequest, render_page
from shop.queries import catalog as catalog_queries


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The homepage: for now a welcome and the top-level categories."""
    return render_page(request, "shop/home.html", {"categories": catalog_queries.top_categories()})

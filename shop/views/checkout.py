"""Checkout. GET reviews the order (a checkout token and a signed quote of what is shown); POST
hands the form to `checkout.submit` and maps its outcome to a response."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from partials.responses import after_action, private_page, render_page
from shop.forms import CheckoutForm
from shop.models import Cart, Order
from shop.moment.middleware import ShopRequest
from shop.queries import cart as cart_queries
from shop.queries import orders as order_queries
from shop.services import cart as cart_service
from shop.services import checkout
from shop.services.payments import TEST_CARDS

TRY_ANOTHER_CARD = "You have not been charged and your cart is as it was: try another card."
CHECKOUT_OFF = "Checkout is off while you preview the shop: leave the preview to buy."


@require_http_methods(["GET", "HEAD", "POST"])
@private_page
def checkout_page(request: ShopRequest) -> HttpResponse:
    """Review the order (GET) and place it (POST); never while the shopper previews the shop at
    another moment (time travel, a release preview link): nothing is sold from a preview."""
    if request.store.time_travel:
        return after_action(
            request,
            redirect_to="shop:cart",
            message=CHECKOUT_OFF,
            level=messages.ERROR,
        )
    cart = cart_service.current(session=request.session, customer=request.user)
    if request.method == "POST":
        return _place(request, cart)
    if cart is None or not cart.lines.exists():
        messages.info(request, "Your cart is empty.")
        return redirect("shop:cart")
    return _page(request, cart)


def _place(request: ShopRequest, cart: Cart | None) -> HttpResponse:
    form = CheckoutForm(request.POST, shipping_methods=cart_queries.shipping_options())
    if not form.is_valid():
        return _invalid(request, cart, form)
    match checkout.submit(cart=cart, customer=request.user, **form.submission()):
        case checkout.Paid(order=order):
            return _to_order(request, order, f"Thank you! Your order {order.number} is confirmed.")
        case checkout.PaymentFailed(order=order, cart=reopened):
            order_queries.remember(request.session, order)
            return _repeat(request, reopened, order)
        case checkout.AlreadyPlaced(order=order):
            return _repeat(request, cart, order)
        case checkout.Changed(cart=cart) as changed:
            return _page(request, cart, changed=changed, status=409)
        case checkout.CartEmpty(message=message):
            messages.info(request, message)
            return after_action(request, redirect_to="shop:cart")
        case checkout.Refused(cart=cart, message=message):
            return _page(request, cart, problem=message, status=409)
    raise AssertionError("every outcome of checkout.submit is answered above")


def _invalid(request: ShopRequest, cart: Cart | None, form: CheckoutForm) -> HttpResponse:
    """An empty cart goes to the cart; an expired quote gets a fresh review; else the errors."""
    if cart is None:
        messages.info(request, checkout.CartEmpty.message)
        return after_action(request, redirect_to="shop:cart")
    if form.only_the_quote_failed:
        return _page(request, cart, problem=form.QUOTE_EXPIRED, status=400)
    messages.error(request, "Please correct the highlighted fields.")
    return _page(request, cart, form=form, status=400)


def _repeat(request: ShopRequest, cart: Cart | None, order: Order) -> HttpResponse:
    """Answer a submit whose order exists: its failed payment (402, to try another card) if the
    shopper has a cart to try again with, else the order page. Never makes another order."""
    if not order_queries.belongs_to(
        order, session=request.session, customer=request.user, via_cart=True
    ):
        raise Http404("No such order.")
    if order.status == Order.Status.FAILED and cart is not None:
        return _page(
            request, cart, problem=f"{order.payment_failure()} {TRY_ANOTHER_CARD}", status=402
        )
    return _to_order(request, order)


def _to_order(request: ShopRequest, order: Order, message: str = "") -> HttpResponse:
    order_queries.remember(request.session, order)
    return after_action(request, redirect_to=order.get_absolute_url(), message=message or None)


def _page(request: ShopRequest, cart: Cart, *, form=None, changed=None, problem="", status=200):
    """The checkout page for `cart`, priced now or as `changed` (an outcome) says, with a form
    re-filled with what was typed (or the bound `form`, with its errors)."""
    data = request.POST if request.method == "POST" else None
    review = cart_queries.checkout_review(
        cart=cart, customer=request.user, email=request.POST.get("email", ""), changed=changed
    )
    if form is None:
        shipping = request.GET.get("shipping")
        form = CheckoutForm.for_review(review, data=data, shipping=shipping, customer=request.user)
    if problem:
        messages.error(request, problem)
    context = {"form": form, "review": review, "test_cards": TEST_CARDS}
    fragment = None if form.is_bound else "checkout-summary"  # htmx asking `?shipping=`
    return render_page(request, "shop/checkout.html", context, fragment=fragment, status=status)

"""Checkout and the order confirmation page.

GET /checkout/ shows the form and a review of the order with a checkout token and a signed
quote of what the shopper sees. POST places the order in one locked step (shop.services.
checkout), then takes payment outside the lock (shop.services.payments). If anything changed
since the review, the page comes back (409) saying what, with the new total to confirm.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_http_methods

from partials.responses import HtmxHttpRequest, after_action, render_page
from shop.forms import CheckoutForm
from shop.models import Cart, Order
from shop.queries import orders as order_queries
from shop.services import cart as cart_service
from shop.services import checkout, payments, pricing
from shop.services.payments import TEST_CARDS

TEMPLATE = "shop/checkout.html"


def _render(
    request: HtmxHttpRequest,
    *,
    form: CheckoutForm,
    quote,
    methods,
    changes=(),
    status: int = 200,
    fragment: str | None = "checkout-summary",
) -> HttpResponse:
    """The checkout page for `form` and `quote` (or, for a plain htmx GET, its `fragment`)."""
    context = {
        "form": form,
        "quote": quote,
        "methods": methods,
        "shipping_code": form["shipping"].value() or (methods[0].code if methods else ""),
        "changes": changes,
        "blocking": any(c.blocking for c in changes),
        "test_cards": TEST_CARDS,
    }
    return render_page(request, TEMPLATE, context, fragment=fragment, status=status)


def _page(
    request: HtmxHttpRequest,
    cart: Cart,
    *,
    data=None,
    changes=(),
    problem: str = "",
    status: int = 200,
    shipping: str | None = None,
) -> HttpResponse:
    """The checkout page for `cart`, priced now, with a fresh token and signed quote.

    `data` re-fills what the shopper typed (never the card number); `shipping` preselects a
    delivery option. htmx asking with `?shipping=` gets only the re-priced summary.
    """
    email = (data or {}).get("email", "")
    quote = checkout.review(cart=cart, customer=request.user, email=email)
    methods = checkout.active_shipping_methods()
    hidden = {"checkout_token": str(cart.checkout_token), "quote": quote.signed()}
    if data is not None:
        values = {k: v for k, v in data.items() if k not in {"card_number", *hidden}}
        form = CheckoutForm(initial={**values, **hidden}, shipping_methods=methods)
    else:
        initial = {**hidden}
        if shipping in {m.code for m in methods}:
            initial["shipping"] = shipping
        if request.user.is_authenticated:
            initial["email"] = request.user.email
        form = CheckoutForm(initial=initial, shipping_methods=methods)
    if problem:
        messages.error(request, problem)
    return _render(request, form=form, quote=quote, methods=methods, changes=changes, status=status)


def _invalid(request: HtmxHttpRequest, cart: Cart, form: CheckoutForm, methods) -> HttpResponse:
    """The form again with its errors (the card number is never sent back)."""
    quote = checkout.review(cart=cart, customer=request.user, email=request.POST.get("email", ""))
    messages.error(request, "Please correct the highlighted fields.")
    return _render(request, form=form, quote=quote, methods=methods, status=400, fragment=None)


def _to_order(request: HtmxHttpRequest, order: Order, message: str = "") -> HttpResponse:
    order_queries.remember(request.session, order)
    return after_action(request, redirect_to=order.get_absolute_url(), message=message or None)


@require_http_methods(["GET", "POST"])
def checkout_page(request: HtmxHttpRequest) -> HttpResponse:
    """Review and place the order."""
    cart = cart_service.current(session=request.session, customer=request.user)
    if request.method == "GET":
        if cart is None or not cart.lines.exists():
            messages.info(request, "Your cart is empty.")
            return redirect("shop:cart")
        return _page(request, cart, shipping=request.GET.get("shipping"))
    return _place(request, cart)


def _place(request: HtmxHttpRequest, cart: Cart | None) -> HttpResponse:
    methods = checkout.active_shipping_methods()
    form = CheckoutForm(request.POST, shipping_methods=methods)
    try:
        token = form.fields["checkout_token"].to_python(request.POST.get("checkout_token", ""))
    except ValidationError:
        token = None
    # A repeated submit (double click, reload, back-and-resubmit) finds its order first.
    existing = Order.objects.filter(checkout_token=token).first() if token else None
    if existing is not None:
        return _repeat(request, existing)
    if cart is None:
        messages.info(request, "Your cart is empty.")
        return after_action(request, redirect_to="shop:cart")
    if not form.is_valid():
        return _invalid(request, cart, form, methods)
    data = form.cleaned_data
    try:
        confirmed = pricing.read_signed(data["quote"])
    except pricing.QuoteTampered:
        return _page(
            request,
            cart,
            data=request.POST,
            problem="Your review page expired or was altered. Please check your order again.",
            status=400,
        )
    details = checkout.CheckoutDetails(
        email=data["email"],
        full_name=data["full_name"],
        address_line1=data["address_line1"],
        address_line2=data["address_line2"],
        city=data["city"],
        postcode=data["postcode"],
        country=data["country"],
        shipping_code=data["shipping"],
        payment_method=data["payment_method"],
    )
    try:
        order, created = checkout.place_order(
            cart_id=cart.pk,
            checkout_token=data["checkout_token"],
            confirmed=confirmed,
            details=details,
            customer=request.user,
        )
    except checkout.CheckoutChanged as changed:
        return _page(request, cart, data=request.POST, changes=changed.changes, status=409)
    except checkout.CartAlreadyOrdered as already:
        if already.order is not None:
            return _repeat(request, already.order)
        return _page(request, cart, data=request.POST, problem=already.message, status=409)
    except checkout.CheckoutError as error:
        return _page(request, cart, data=request.POST, problem=error.message, status=409)
    if not created:
        return _repeat(request, order)
    order_queries.remember(request.session, order)
    order = payments.pay(order=order, card_number=data["card_number"])
    return _after_payment(request, order, data=request.POST)


def _repeat(request: HtmxHttpRequest, order: Order) -> HttpResponse:
    """Answer a submit whose order already exists: show that order, never make another."""
    cart_token = request.session.get(cart_service.SESSION_KEY)
    if not order_queries.belongs_to(
        order, session=request.session, customer=request.user, cart_token=cart_token
    ):
        raise Http404("No such order.")
    if order.status == Order.Status.FAILED:
        return _payment_failed(request, order, data=request.POST)
    return _to_order(request, order)


def _after_payment(request: HtmxHttpRequest, order: Order, *, data) -> HttpResponse:
    if order.status == Order.Status.PAID:
        return _to_order(request, order, f"Thank you! Your order {order.number} is confirmed.")
    if order.status == Order.Status.FAILED:
        return _payment_failed(request, order, data=data)
    return _to_order(request, order)


def _payment_failed(request: HtmxHttpRequest, order: Order, *, data) -> HttpResponse:
    """The checkout again (402) for the reopened cart, saying why the payment failed."""
    cart = cart_service.current(session=request.session, customer=request.user)
    if cart is None:
        return _to_order(request, order)  # the order page explains the failure too
    problem = (
        f"{payments.failure_message(order)} You have not been charged and your cart is as it "
        "was: try another card."
    )
    return _page(request, cart, data=data, problem=problem, status=402)


@require_GET
def order_detail(request: HtmxHttpRequest, token) -> HttpResponse:
    """An order's confirmation page, for its owner only (404 for anyone else)."""
    try:
        order = order_queries.order_page(
            token=token, session=request.session, customer=request.user
        )
    except Order.DoesNotExist:
        raise Http404("No such order.") from None
    response = render_page(request, "shop/order_detail.html", {"order": order})
    response["Cache-Control"] = "private, no-store"
    return response

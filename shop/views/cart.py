"""The cart: a page, and the POSTs that change it (add, quantity, coupon).

Without JavaScript every POST ends in a 303 back to a page (post/redirect/get); with htmx it
returns the changed fragment, the header badge out of band and the message for the status
region. Refused input gets the page (or the fragment) again with the reason and a 4xx.
"""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.http import require_POST, require_safe

from config.proxies import client_address
from partials.responses import (
    after_action,
    private_page,
    render_failure,
    render_page,
    safe_next,
)
from shop.domain.options import VARIANT
from shop.forms import AddToCartForm, CouponForm, QuantityForm, option_choice
from shop.models import Cart, Product
from shop.moment.middleware import ShopRequest
from shop.queries import cart as cart_queries
from shop.queries import catalog as catalog_queries
from shop.services import cart as cart_service
from shop.services import throttle

CART_TEMPLATE = "shop/cart.html"
BADGE = "base.html#cart-badge"


def _cart(request: ShopRequest, *, create: bool = False) -> Cart | None:
    return cart_service.current(session=request.session, customer=request.user, create=create)


def _cart_context(request: ShopRequest, **extra) -> dict:
    state = request.store
    view = cart_queries.cart_page(cart=_cart(request), customer=request.user, state=state)
    return {
        "view": view,
        "coupon_form": CouponForm(),
        "checkout_off": state.time_travel,  # nothing is sold from a preview
        **extra,
    }


def _cart_changed(request: ShopRequest, message: str) -> HttpResponse:
    return after_action(
        request,
        redirect_to="shop:cart",
        template_name=CART_TEMPLATE,
        fragment="cart-summary",
        context=_cart_context(request),
        oob=[BADGE],
        message=message,
    )


def _cart_refused(request: ShopRequest, message: str, status: int, **extra) -> HttpResponse:
    return render_failure(
        request,
        CART_TEMPLATE,
        _cart_context(request, **extra),
        message=message,
        status=status,
        fragment="cart-summary",
        oob=[BADGE],
    )


@require_safe
@private_page
def cart_detail(request: ShopRequest) -> HttpResponse:
    """The cart page: lines with current prices (and what changed), stock, coupon, totals."""
    return render_page(request, CART_TEMPLATE, _cart_context(request), fragment="cart-summary")


def _add_refused(
    request: ShopRequest,
    message: str,
    status: int,
    *,
    variant_id: int | None = None,
    product_id: int | None = None,
) -> HttpResponse:
    """Without JavaScript: the product's page with the reason, as the shopper had chosen it
    (the variant, else the options sent), or the 404 page if the product is unknown."""
    state = request.store
    found = Product.objects.published(state)
    if variant_id:
        product = found.filter(variants__pk=variant_id).first()
        chosen = {VARIANT: str(variant_id)}
    else:
        product = found.filter(pk=product_id).first() if product_id else None
        chosen = option_choice(request.POST, ignore=[*AddToCartForm.base_fields])
    if product is None:
        return render_failure(request, "404.html", message=message, status=404)
    detail = catalog_queries.product_detail(slug=product.slug, chosen=chosen, state=state)
    return render_failure(
        request, "shop/product_detail.html", {"detail": detail}, message=message, status=status
    )


@require_POST
def add_to_cart(request: ShopRequest) -> HttpResponse:
    """Add a variant to the cart (opening one if needed); back to where the shopper was."""
    state = request.store
    form = AddToCartForm(request.POST, state=state)
    if not form.is_valid():
        # ErrorList items read as strings (the stubs also admit ValidationError).
        message = str(next(iter(form.errors.values()))[0])
        return _add_refused(
            request,
            message,
            400,
            variant_id=form.cleaned_data.get("variant"),
            product_id=form.cleaned_data.get("product"),
        )
    variant_id = form.cleaned_data["variant"]
    try:
        change = cart_service.add_item(
            cart=_cart(request),
            customer=request.user,
            variant_id=variant_id,
            quantity=form.cleaned_data["quantity"],
            request_id=form.cleaned_data["request_id"],
            state=state,
        )
    except cart_service.UnknownVariant as error:
        return _add_refused(request, error.message, 404)
    except cart_service.CartError as error:
        return _add_refused(request, error.message, 409, variant_id=variant_id)
    if change.cart is not None:
        cart_service.remember(session=request.session, cart=change.cart)
    return _added(request, form, change)


def _added(
    request: ShopRequest, form: AddToCartForm, change: cart_service.LineChange
) -> HttpResponse:
    """Back where the shopper was (303), or with htmx the badge, the message and a fresh id."""
    assert change.line is not None, "add_item always returns the line it added to"
    product = change.line.variant.product
    request_input = form.cleaned_data["request_input"]
    return after_action(
        request,
        # Without a `next` (the product page sends none): that page, with what was added chosen.
        redirect_to=safe_next(
            form.cleaned_data["next"],
            f"{product.get_absolute_url()}?variant={change.line.variant_id}",
        ),
        template_name="base.html",
        context={"request_key": request_input.removeprefix("add-request-")},
        # With htmx the form stays on the page: give it a fresh id for the next, deliberate add.
        oob=[
            "cart-badge",
            *(["components/product_card.html#add-request"] if request_input else []),
        ],
        message=change.message,
        trigger="cart-changed",
    )


@require_POST
def update_line(request: ShopRequest, line_id: int) -> HttpResponse:
    """Set a cart line's quantity (0 removes it), capped at the stock left."""
    form = QuantityForm(request.POST)
    if not form.is_valid():
        return _cart_refused(request, str(form.errors["quantity"][0]), 400)
    cart = _cart(request)
    if cart is None:
        return _cart_refused(request, cart_service.UnknownLine.message, 404)
    try:
        change = cart_service.set_quantity(
            cart=cart,
            line_id=line_id,
            quantity=form.cleaned_data["quantity"],
            state=request.store,
        )
    except cart_service.UnknownLine as error:
        return _cart_refused(request, error.message, 404)
    except cart_service.CartError as error:
        return _cart_refused(request, error.message, 409)
    return _cart_changed(request, change.message)


def _throttle_keys(request: ShopRequest) -> tuple[str, str]:
    """The keys a wrong coupon code counts against: this session, and the client's address."""
    if not request.session.session_key:
        request.session.save()
    return f"session:{request.session.session_key}", f"ip:{client_address(request)}"


def _coupon_attempts_blocked(request: ShopRequest, key: str, *, limit: int) -> HttpResponse | None:
    """A 429 with `Retry-After` while `key` has `limit` wrong codes in this window, else None."""
    try:
        throttle.check(
            scope="coupon", keys=[key], limit=limit, window=settings.COUPON_ATTEMPTS_WINDOW
        )
    except throttle.Blocked as blocked:
        response = _cart_refused(request, blocked.message, 429, coupon_error=blocked.message)
        response["Retry-After"] = str(blocked.retry_after)
        return response
    return None


@require_POST
def apply_coupon(request: ShopRequest) -> HttpResponse:
    """Apply a coupon code. Wrong codes are counted per session and per client address.

    A session with COUPON_ATTEMPTS wrong codes is refused (429) before its code is looked at.
    The address's much higher COUPON_ATTEMPTS_PER_IP is a backstop that only answers wrong
    codes: a valid code from a session that is not itself blocked is applied even when the
    address is over it, so the people sharing an address (a load balancer, an office, a mobile
    carrier) never cost one another a discount. The price of that promise: a guesser who
    starts a new session every few codes is told 429 for a wrong code and success for a right
    one, so the backstop asks them to slow down but does not hide which codes exist; codes
    that must not be guessed have to be long and random.
    """
    form = CouponForm(request.POST)
    session_key, address_key = _throttle_keys(request)
    blocked = _coupon_attempts_blocked(request, session_key, limit=settings.COUPON_ATTEMPTS)
    if blocked is not None:
        return blocked
    if not form.is_valid():
        message = str(form.errors["code"][0])
        return _cart_refused(request, message, 400, coupon_error=message)
    cart = _cart(request)
    if cart is None or not cart.lines.exists():
        message = "Add something to your cart before using a coupon."
        return _cart_refused(request, message, 400, coupon_error=message)
    try:
        coupon = cart_service.apply_coupon(
            cart=cart,
            code=form.cleaned_data["code"],
            customer=request.user,
            state=request.store,
        )
    except cart_service.CouponInvalid as error:
        return _wrong_code(request, error, session_key=session_key, address_key=address_key)
    except cart_service.CartError as error:
        return _cart_refused(request, error.message, 409)
    return _cart_changed(request, f"Coupon {coupon.code} applied: {coupon.label}.")


def _wrong_code(
    request: ShopRequest,
    error: cart_service.CouponInvalid,
    *,
    session_key: str,
    address_key: str,
) -> HttpResponse:
    """Count a wrong code against the session and the address; the reason (400), or 429 if
    the address had already reached its backstop."""
    blocked = _coupon_attempts_blocked(request, address_key, limit=settings.COUPON_ATTEMPTS_PER_IP)
    throttle.record_failure(
        scope="coupon", keys=[session_key, address_key], window=settings.COUPON_ATTEMPTS_WINDOW
    )
    if blocked is not None:
        return blocked
    return _cart_refused(request, error.message, 400, coupon_error=error.message)


@require_POST
def remove_coupon(request: ShopRequest) -> HttpResponse:
    """Take the coupon off the cart."""
    cart = _cart(request)
    if cart is not None:
        try:
            cart_service.remove_coupon(cart=cart)
        except cart_service.CartError as error:
            return _cart_refused(request, error.message, 409)
    return _cart_changed(request, "Coupon removed.")

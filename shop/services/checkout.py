"""Checkout: review a cart, then place the order in one atomic, locked step that cannot lie.

`place_order` locks the cart, the variants' stock rows and the coupon (shop.locks, in that
order, each by primary key), re-reads prices, stock and the coupon from those live rows, and
compares them with the quote the shopper confirmed. Any difference raises CheckoutChanged and
changes nothing. Otherwise it deducts stock with F(), counts the coupon use and writes the Order
and its lines as an immutable snapshot. It is idempotent per checkout token: a repeated or
concurrent submit returns the same order. Payment happens afterwards, outside the lock
(shop.services.payments).
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop import cache_invalidation, locks
from shop.models import Cart, CartLine, Coupon, Order, OrderLine, Product, ShippingMethod, Variant
from shop.services import cart as cart_service
from shop.services import pricing
from shop.services.accounts import is_customer
from shop.services.pricing import Change, Confirmed, Quote


class CheckoutError(Exception):
    message = "Your order could not be placed."

    def __str__(self) -> str:
        return self.message


class EmptyCart(CheckoutError):
    message = "Your cart is empty."


class UnknownShippingMethod(CheckoutError):
    message = "Choose one of the delivery options."


class StaleCheckout(CheckoutError):
    message = (
        "This checkout page is out of date (your cart was checked out or changed elsewhere). "
        "Please review your order again."
    )


@dataclass
class CartAlreadyOrdered(CheckoutError):
    order: Order | None

    @property
    def message(self) -> str:  # type: ignore[override]
        return "This cart has already been ordered."


@dataclass
class CheckoutChanged(CheckoutError):
    """Something changed since the shopper's review; nothing was written. Shows `changes`."""

    changes: list[Change]
    quote: Quote

    @property
    def blocking(self) -> bool:
        """True when the cart itself must change first (an item sold out or ran short)."""
        return any(change.blocking for change in self.changes)

    @property
    def message(self) -> str:  # type: ignore[override]
        return "Something changed since you reviewed your order."


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    full_name: str
    address_line1: str
    address_line2: str
    city: str
    postcode: str
    country: str
    shipping_code: str
    payment_method: str


def active_shipping_methods() -> list[ShippingMethod]:
    return list(ShippingMethod.objects.filter(active=True))


def _on_sale(variant: Variant, now: datetime) -> bool:
    product = variant.product
    return product.status == Product.Status.PUBLISHED and product.published_at <= now


def _price(
    *,
    lines: list[CartLine],
    coupon: Coupon | None,
    customer,
    email: str,
    now: datetime,
    shipping_methods: list[ShippingMethod],
) -> tuple[Quote, Coupon | None]:
    """Price lines whose `.variant` (with product) is loaded; returns the quote and the coupon
    if it still applies. Products no longer on sale count as sold out."""
    for line in lines:
        if not _on_sale(line.variant, now):
            line.variant.stock = 0
    applied, problem = None, ""
    if coupon is not None:
        eligibility = coupon.eligibility(
            subtotal=pricing.subtotal_of(lines),
            now=now,
            customer_uses=cart_service.customer_coupon_uses(
                coupon=coupon, customer=customer, email=email
            ),
        )
        if eligibility.ok:
            applied = coupon
        else:
            problem = eligibility.message
    quote = pricing.build_quote(
        lines=lines, coupon=applied, coupon_problem=problem, shipping_methods=shipping_methods
    )
    return quote, applied


def review(
    *, cart: Cart, customer=None, email: str = "", lines: list[CartLine] | None = None
) -> Quote:
    """The quote to show on the cart and review pages (no locks: submit re-checks everything).

    `lines` may be passed pre-loaded (with `variant__product`) to save the query.
    """
    if lines is None:
        lines = list(
            CartLine.objects.filter(cart=cart).select_related("variant__product").order_by("pk")
        )
    quote, _ = _price(
        lines=lines,
        coupon=cart.coupon,
        customer=customer,
        email=email,
        now=timezone.now(),
        shipping_methods=active_shipping_methods(),
    )
    return quote


def place_order(
    *,
    cart_id: int,
    checkout_token: UUID,
    confirmed: Confirmed,
    details: CheckoutDetails,
    customer=None,
) -> tuple[Order, bool]:
    """Place the order for the cart, exactly as confirmed; returns (order, created).

    Idempotent: if an order already exists for `checkout_token`, returns it with created=False
    and does nothing else. Raises EmptyCart, UnknownShippingMethod, StaleCheckout,
    CartAlreadyOrdered, or CheckoutChanged (with every difference and the new quote) — in which
    case no stock, coupon, cart or order row was changed.
    """
    existing = Order.objects.filter(checkout_token=checkout_token).first()
    if existing is not None:
        return existing, False
    customer = customer if is_customer(customer) else None
    try:
        with transaction.atomic():
            return _place_locked(
                cart_id=cart_id,
                checkout_token=checkout_token,
                confirmed=confirmed,
                details=details,
                customer=customer,
            )
    except IntegrityError:
        # Another submit of this token won the race to the unique index.
        existing = Order.objects.filter(checkout_token=checkout_token).first()
        if existing is None:
            raise
        return existing, False


def _place_locked(
    *, cart_id: int, checkout_token: UUID, confirmed: Confirmed, details: CheckoutDetails, customer
) -> tuple[Order, bool]:
    try:
        cart = locks.lock_cart(cart_id)
    except Cart.DoesNotExist:
        raise EmptyCart() from None
    # A concurrent submit of the same token may have placed the order while we waited.
    existing = Order.objects.filter(checkout_token=checkout_token).first()
    if existing is not None:
        return existing, False
    if not cart.is_open:
        raise CartAlreadyOrdered(
            order=Order.objects.filter(checkout_token=cart.checkout_token).first()
        )
    if cart.checkout_token != checkout_token:
        raise StaleCheckout()
    lines = list(CartLine.objects.filter(cart=cart).order_by("pk"))
    if not lines:
        raise EmptyCart()
    variants = locks.lock_variants(line.variant_id for line in lines)
    for line in lines:
        line.variant = variants[line.variant_id]
    coupon = locks.lock_coupon(cart.coupon_id) if cart.coupon_id else None
    methods = active_shipping_methods()
    method = next((m for m in methods if m.code == details.shipping_code), None)
    if method is None:
        raise UnknownShippingMethod()

    now = timezone.now()
    live, applied = _price(
        lines=lines,
        coupon=coupon,
        customer=customer,
        email=details.email,
        now=now,
        shipping_methods=methods,
    )
    changes = pricing.changes_since(confirmed, live, details.shipping_code)
    if changes:
        raise CheckoutChanged(changes=changes, quote=live)

    for line in live.lines:
        # The lock makes this exact; the CheckConstraint (stock >= 0) is the last word anyway.
        Variant.objects.filter(pk=line.variant_id).update(stock=F("stock") - line.quantity)
    if any(line.stock == line.quantity for line in live.lines):
        # Something just sold out: the cached homepage and "in stock" counts change. (Other
        # stock moves change neither, so they do not empty the caches on every order.)
        cache_invalidation.catalog_changed()
    if applied is not None:
        Coupon.objects.filter(pk=applied.pk).update(times_used=F("times_used") + 1)

    shipping = live.shipping_price(details.shipping_code)
    order = Order.objects.create(
        checkout_token=checkout_token,
        customer=customer or cart.customer,
        email=details.email,
        full_name=details.full_name,
        address_line1=details.address_line1,
        address_line2=details.address_line2,
        city=details.city,
        postcode=details.postcode,
        country=details.country,
        shipping_method=method.name,
        payment_method=details.payment_method,
        currency=settings.CURRENCY,
        subtotal=live.subtotal,
        discount_total=live.discount,
        shipping_total=shipping,
        tax_total=live.tax(details.shipping_code),
        total=live.total(details.shipping_code),
        coupon_code=applied.code if applied else "",
        coupon=applied,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            variant_id=line.variant_id,
            sku=line.sku,
            product_name=variants[line.variant_id].product.name,
            variant_name=variants[line.variant_id].name,
            options=variants[line.variant_id].options,
            unit_price=line.unit_price,
            quantity=line.quantity,
            line_total=line.line_total,
            discount=share,
        )
        for line, share in zip(live.lines, live.line_discounts(), strict=True)
    )
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED, updated=now)
    return order, True

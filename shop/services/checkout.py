"""Checkout: place the order in one atomic, locked step that cannot lie, then take payment.

`submit` is the whole checkout, one call for the view: it places the order (`place_order`)
and, outside every lock, takes payment (shop.services.payments), and returns an outcome the
view turns into a response: `Paid`, `PaymentFailed`, `Changed` (or `OutOfStock`),
`AlreadyPlaced`, `CartEmpty` or `Refused`.

`place_order` locks the cart, the variants' stock rows and the coupon (shop.locks, in that
order, each by primary key), re-reads prices, stock and the coupon from those live rows (and
the releases in force at that second: their prices are charged), and compares them with the
quote the shopper confirmed. Any difference raises CheckoutChanged,
carrying the new quote priced from those same locked rows, and changes nothing. Otherwise it
deducts stock with F(), counts the coupon use and writes the Order and its lines as an
immutable snapshot. It is idempotent per checkout token: a repeated or concurrent submit
returns the same order.
"""

from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shop import cache_invalidation, locks
from shop.domain import pricing
from shop.domain.customers import is_customer
from shop.domain.pricing import Change, Confirmed, Quote
from shop.models import Cart, CartLine, Coupon, Order, OrderLine, ShippingMethod, Variant
from shop.moment.resolve import resolve
from shop.services import payments


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
    existing = Order.objects.for_checkout(checkout_token)
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
        existing = Order.objects.for_checkout(checkout_token)
        if existing is None:
            raise
        return existing, False


def _place_locked(
    *, cart_id: int, checkout_token: UUID, confirmed: Confirmed, details: CheckoutDetails, customer
) -> tuple[Order, bool]:
    """Under the cart's lock: the order this token already placed (False), or a new one (True)
    after locking what it charges for, re-pricing it and checking it is what the shopper
    confirmed."""
    try:
        cart = locks.lock_cart(cart_id)
    except Cart.DoesNotExist:
        raise EmptyCart() from None
    # A concurrent submit of the same token may have placed the order while we waited.
    existing = Order.objects.for_checkout(checkout_token)
    if existing is not None:
        return existing, False
    if not cart.is_open:
        raise CartAlreadyOrdered(order=Order.objects.for_checkout(cart.checkout_token))
    if cart.checkout_token != checkout_token:
        raise StaleCheckout()
    lines, variants, coupon = _lock_lines_and_coupon(cart)
    methods = list(ShippingMethod.objects.active())
    method = next((m for m in methods if m.code == details.shipping_code), None)
    if method is None:
        raise UnknownShippingMethod()
    now = timezone.now()
    live, applied = _price_now(
        lines=lines, variants=variants, coupon=coupon, methods=methods, details=details,
        customer=customer, now=now,
    )  # fmt: skip
    changes = pricing.changes_since(confirmed, live, details.shipping_code)
    if changes:
        raise CheckoutChanged(changes=changes, quote=live)
    _take_stock_and_coupon(live, applied)
    order = _write_order(
        cart=cart, checkout_token=checkout_token, details=details, customer=customer,
        method=method, live=live, applied=applied, variants=variants,
    )  # fmt: skip
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED, updated=now)
    return order, True


def _lock_lines_and_coupon(cart: Cart) -> tuple[list[CartLine], dict[int, Variant], Coupon | None]:
    """The cart's lines with their variants locked (in primary-key order) and its coupon locked;
    EmptyCart if it has no line."""
    lines = list(CartLine.objects.filter(cart=cart).order_by("pk"))
    if not lines:
        raise EmptyCart()
    variants = locks.lock_variants(line.variant_id for line in lines)
    for line in lines:
        line.variant = variants[line.variant_id]
    coupon = locks.lock_coupon(cart.coupon_id) if cart.coupon_id else None
    return lines, variants, coupon


def _price_now(
    *, lines, variants, coupon, methods, details: CheckoutDetails, customer, now
) -> tuple[Quote, Coupon | None]:
    """The cart priced as it stands now, and the coupon that applies (if any).

    The prices in force at placement are charged: a release that started since the review (or
    ended) shows as a price change, read now, under the locks, from the database.
    """
    state = resolve(at=now, fresh=True)
    state.effects.apply(variants.values())
    return pricing.price_cart(
        lines=lines,
        coupon=coupon,
        coupon_uses=Order.objects.coupon_uses(
            coupon=coupon, customer=customer, email=details.email
        ),
        now=now,
        shipping_methods=methods,
        releases=state.releases,
        shown=state.effects.visible,
    )


def _take_stock_and_coupon(live: Quote, applied: Coupon | None) -> None:
    """Deduct each line's quantity from its variant's stock and count the coupon's use."""
    for quoted in live.lines:
        # The lock makes this exact; the CheckConstraint (stock >= 0) is the last word anyway.
        Variant.objects.filter(pk=quoted.variant_id).update(stock=F("stock") - quoted.quantity)
    # The products' pages show the new stock; cards and counts only if a state changed.
    cache_invalidation.stock_moved({q.variant_id: -q.quantity for q in live.lines})
    if applied is not None:
        Coupon.objects.filter(pk=applied.pk).update(times_used=F("times_used") + 1)


def _write_order(
    *, cart: Cart, checkout_token: UUID, details: CheckoutDetails, customer, method,
    live: Quote, applied: Coupon | None, variants: dict[int, Variant],
) -> Order:  # fmt: skip
    """The order and its lines: a snapshot of what was charged, never edited afterwards."""
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
        shipping_total=live.shipping_price(details.shipping_code),
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
    return order


# The whole checkout, as one call -------------------------------------------------------------


@dataclass(frozen=True)
class Paid:
    """Placed and paid: the order is confirmed and its e-mail is on its way."""

    order: Order


@dataclass(frozen=True)
class PaymentFailed:
    """Placed, but the card was declined or the gateway timed out (`order.payment_failure()`
    says which): the order failed, its stock and coupon use came back, and `cart` is reopened
    as it was, with a new checkout token (None only if it is gone)."""

    order: Order
    cart: Cart | None


@dataclass(frozen=True)
class Changed:
    """Something changed since the review and nothing was written. `quote` is priced from the
    rows read under the lock: confirming it places the order unless something changes again."""

    cart: Cart
    changes: list[Change]
    quote: Quote


class OutOfStock(Changed):
    """An item sold out or ran short: the cart must change before the order can be placed."""


@dataclass(frozen=True)
class AlreadyPlaced:
    """This checkout was placed before (a double click, a reload): its order, never another."""

    order: Order


@dataclass(frozen=True)
class CartEmpty:
    """There is nothing to order."""

    message: str = EmptyCart.message


@dataclass(frozen=True)
class Refused:
    """The submit cannot be placed as it stands (an out-of-date page, an unknown delivery
    option); `message` says why. Nothing was written."""

    cart: Cart
    message: str


Outcome = Paid | PaymentFailed | Changed | AlreadyPlaced | CartEmpty | Refused


def submit(
    *,
    cart: Cart | None,
    checkout_token: UUID,
    confirmed: Confirmed,
    details: CheckoutDetails,
    card_number: str,
    customer=None,
) -> Outcome:
    """Place the order for `cart` exactly as the shopper confirmed it, then take payment.

    The order is placed under the locks (`place_order`); the gateway is called after they are
    released. Idempotent per `checkout_token`: a repeated submit gets `AlreadyPlaced` with the
    first order, whatever happened to the cart since. Never raises for what a shopper can do.
    """
    if cart is None:
        existing = Order.objects.for_checkout(checkout_token)
        return AlreadyPlaced(existing) if existing is not None else CartEmpty()
    try:
        order, created = place_order(
            cart_id=cart.pk,
            checkout_token=checkout_token,
            confirmed=confirmed,
            details=details,
            customer=customer,
        )
    except CheckoutChanged as changed:
        outcome = OutOfStock if changed.blocking else Changed
        return outcome(cart=cart, changes=changed.changes, quote=changed.quote)
    except CartAlreadyOrdered as already:
        return AlreadyPlaced(already.order) if already.order else Refused(cart, already.message)
    except EmptyCart:
        return CartEmpty()
    except CheckoutError as error:
        return Refused(cart, error.message)
    if not created:
        return AlreadyPlaced(order)
    order = payments.pay(order=order, card_number=card_number)
    if order.status == Order.Status.PAID:
        return Paid(order)
    if order.status == Order.Status.FAILED:
        reopened = Cart.objects.open().select_related("coupon__release").filter(pk=cart.pk).first()
        return PaymentFailed(order=order, cart=reopened)
    return AlreadyPlaced(order)  # another request of this checkout is paying for it

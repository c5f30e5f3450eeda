"""Cart writes: find or open the shopper's cart, add, change and remove lines, apply coupons.

Every change to a cart's lines happens under a lock on the cart row, so concurrent requests
for one cart (a double click, two tabs) queue: 20 parallel adds of one unit add 20 units.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, overload

from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop import locks, session_keys
from shop.domain import pricing
from shop.domain.availability import Availability
from shop.domain.customers import is_customer
from shop.models import Cart, CartLine, Coupon, Order, Product, Variant
from shop.models.coupons import normalise_code
from shop.moment.values import StoreState

MAX_LINE_QUANTITY = 99


class CartError(Exception):
    """Base of the expected cart errors; `message` is for the shopper."""

    message = "That did not work."

    def __str__(self) -> str:
        return self.message


class UnknownVariant(CartError):
    message = "That product is not available."


class UnknownLine(CartError):
    message = "That item is no longer in your cart."


class InvalidQuantity(CartError):
    def __init__(self, quantity: object):
        self.quantity = quantity
        self.message = f"Choose a quantity from 1 to {MAX_LINE_QUANTITY}."


@dataclass
class OutOfStock(CartError):
    """Nothing (more) can be added: `available` units exist, `in_cart` are already in the cart."""

    name: str
    available: int
    in_cart: int = 0

    @property
    def message(self) -> str:  # type: ignore[override]
        return Availability(quantity=self.available).refusal(name=self.name, in_cart=self.in_cart)


class CartClosed(CartError):
    message = "This cart has already been ordered. Your order is being processed."


@dataclass
class CouponInvalid(CartError):
    code: str
    reason: str

    @property
    def message(self) -> str:  # type: ignore[override]
        return self.reason


@dataclass(frozen=True)
class LineChange:
    """What an add or a quantity change did, in words the shopper can read."""

    line: CartLine | None
    name: str
    quantity: int
    capped_to: int | None = None
    # The cart the line is in (`add_item`: perhaps one it opened, or the cart the same form
    # submission reached first), for the shopper's session to remember.
    cart: Cart | None = None

    @property
    def message(self) -> str:
        if self.line is None:
            return f"Removed {self.name} from your cart."
        if self.capped_to is not None:
            return Availability(quantity=self.capped_to).capped(
                name=self.name, in_cart=self.quantity
            )
        return f"{self.name}: {self.quantity} in your cart."


# Finding the cart ---------------------------------------------------------------------------


@overload
def current(*, session: SessionBase, customer=None, create: Literal[True]) -> Cart: ...
@overload
def current(*, session: SessionBase, customer=None, create: bool = False) -> Cart | None: ...
def current(*, session: SessionBase, customer=None, create: bool = False) -> Cart | None:
    """The shopper's open cart: the session's, else the customer's latest; opened if `create`.

    The session remembers the cart's token (not its contents), so the cart survives a login
    and lives in the database like any other row.
    """
    token = session.get(session_keys.CART)
    carts = Cart.objects.open().select_related("coupon__release")
    cart = carts.filter(token=token).first() if token else None
    if cart is None and is_customer(customer):
        cart = carts.filter(customer=customer).order_by("-updated").first()
    if cart is None and create:
        cart = Cart.objects.create(customer=customer if is_customer(customer) else None)
    if cart is not None and token != str(cart.token):
        remember(session=session, cart=cart)
    return cart


def remember(*, session: SessionBase, cart: Cart) -> None:
    """Make `cart` the session's cart (the session is written only if that changes it)."""
    if session.get(session_keys.CART) != str(cart.token):
        session[session_keys.CART] = str(cart.token)


def _buyable_variant(variant_id: int, *, state: StoreState) -> Variant:
    """The variant, if its product is shown in `state`, with the price in force there
    (`price_now`)."""
    variant = (
        Variant.objects.select_related("product")
        .filter(pk=variant_id, product__in=Product.objects.published(state))
        .first()
    )
    if variant is None:
        raise UnknownVariant()
    state.effects.apply([variant])
    return variant


def _check_quantity(quantity: int, *, allow_zero: bool = False) -> None:
    low = 0 if allow_zero else 1
    if not isinstance(quantity, int) or not low <= quantity <= MAX_LINE_QUANTITY:
        raise InvalidQuantity(quantity)


def display_name(variant: Variant) -> str:
    """ "Linen Shirt (M / Navy)", or just the product's name for a single-option product."""
    return pricing.display_name(variant.product.name, variant.name)


# Lines -------------------------------------------------------------------------------------


def add_item(
    *,
    cart: Cart | None,
    variant_id: int,
    quantity: int,
    request_id: str = "",
    customer=None,
    state: StoreState,
) -> LineChange:
    """Add `quantity` of a variant, capped at its stock (the result says when it was capped).

    `state` is the store the shopper is looking at (`request.store`): the
    variant must be shown there, and the line remembers the price in force there.

    Without a `cart` (a new shopper) the cart is opened in the same transaction, for
    `customer` if they are signed in: a refused add leaves no empty cart behind. The result's
    `cart` is the cart the line is in, for the session to remember.

    `request_id` identifies the form submission: if the line's last add came from the same
    one (a double click that sent the form twice), nothing more is added. That holds across
    carts too: a new shopper's double click can reach the server as two requests that each
    open a cart; a request id is on one line at most (a unique index), so the second finds
    the first's line and returns it, in the first's cart.
    Raises UnknownVariant, InvalidQuantity, OutOfStock (nothing could be added) or CartClosed.
    """
    _check_quantity(quantity)
    variant = _buyable_variant(variant_id, state=state)
    name = display_name(variant)
    owner = customer if is_customer(customer) else None

    def add(request_id: str) -> LineChange:
        return _add(
            cart=cart, variant=variant, name=name, quantity=quantity, owner=owner,
            request_id=request_id,
        )  # fmt: skip

    try:
        return add(request_id)
    except IntegrityError:
        if not request_id:
            raise
    first = CartLine.objects.select_related("cart").filter(last_request_id=request_id).first()
    if first is not None and first.variant_id == variant.pk and first.cart.is_open:
        first.variant = variant
        return LineChange(line=first, name=name, quantity=first.quantity, cart=first.cart)
    # The id is on a line of another variant: a form whose fresh id never arrived. Not a repeat.
    return add("")


def _add(
    *, cart: Cart | None, variant: Variant, name: str, quantity: int, request_id: str, owner
) -> LineChange:
    with transaction.atomic():
        if cart is None:  # a new cart: nobody else knows it, so no lock and no lines yet
            cart, line = Cart.objects.create(customer=owner), None
        else:
            cart = locks.lock_cart(cart.pk)
            if not cart.is_open:
                raise CartClosed()
            line = CartLine.objects.filter(cart=cart, variant=variant).first()
        if line is not None:
            line.variant = variant  # already loaded, with its product
            if request_id and line.last_request_id == request_id:
                return LineChange(line=line, name=name, quantity=line.quantity, cart=cart)
        in_cart = line.quantity if line else 0
        # Stock as read a moment ago, without a lock: the cart promises nothing, checkout
        # re-checks under lock.
        stock = variant.stock
        wanted = min(in_cart + quantity, MAX_LINE_QUANTITY)
        new_quantity = min(wanted, stock)
        if new_quantity <= in_cart:
            raise OutOfStock(name=name, available=max(stock, 0), in_cart=in_cart)
        if line is None:
            line = CartLine.objects.create(
                cart=cart,
                variant=variant,
                quantity=new_quantity,
                price_seen=variant.price_now,
                last_request_id=request_id,
            )
        else:
            line.quantity = new_quantity
            line.price_seen = variant.price_now  # the shopper is looking at today's price
            line.last_request_id = request_id
            line.save(update_fields=["quantity", "price_seen", "last_request_id"])
        if in_cart:  # a new cart's `updated` is already now
            Cart.objects.filter(pk=cart.pk).update(updated=timezone.now())
    capped = new_quantity if new_quantity < in_cart + quantity else None
    return LineChange(line=line, name=name, quantity=new_quantity, capped_to=capped, cart=cart)


def set_quantity(*, cart: Cart, line_id: int, quantity: int, state: StoreState) -> LineChange:
    """Set a line's quantity; 0 removes the line. More than the stock is capped at the stock.
    The line remembers the price in force in `state`.

    Raises UnknownLine, InvalidQuantity, OutOfStock (the item sold out) or CartClosed.
    """
    _check_quantity(quantity, allow_zero=True)
    with transaction.atomic():
        cart = locks.lock_cart(cart.pk)
        if not cart.is_open:
            raise CartClosed()
        line = (
            CartLine.objects.select_related("variant__product")
            .filter(cart=cart, pk=line_id)
            .first()
        )
        if line is None:
            raise UnknownLine()
        name = display_name(line.variant)
        if quantity == 0:
            line.delete()
            return LineChange(line=None, name=name, quantity=0)
        stock = line.variant.stock
        if stock <= 0:
            raise OutOfStock(name=name, available=0)
        new_quantity = min(quantity, stock)
        line.quantity = new_quantity
        state.effects.apply([line.variant])
        line.price_seen = line.variant.price_now
        line.save(update_fields=["quantity", "price_seen"])
        Cart.objects.filter(pk=cart.pk).update(updated=timezone.now())
    capped = new_quantity if new_quantity < quantity else None
    return LineChange(line=line, name=name, quantity=new_quantity, capped_to=capped)


# Coupons -----------------------------------------------------------------------------------


def apply_coupon(
    *,
    cart: Cart,
    code: str,
    customer=None,
    now: datetime | None = None,
    state: StoreState,
) -> Coupon:
    """Attach the coupon `code` (any case) to the cart if it applies to its subtotal in `state`
    (its moment, unless `now` says otherwise, its prices and its releases in force; a release's
    coupon only applies while its release is in force).

    Raises CouponInvalid with the reason (unknown, expired, used up, minimum not reached, ...).
    """
    normalised = normalise_code(code)
    if not normalised:
        raise CouponInvalid(code="", reason="Enter a coupon code.")
    coupon = Coupon.objects.select_related("release").filter(code=normalised).first()
    if coupon is None:
        raise CouponInvalid(code=normalised, reason=f"There is no coupon {normalised}.")
    lines = list(CartLine.objects.filter(cart=cart).select_related("variant"))
    state.effects.apply(line.variant for line in lines)
    eligibility = coupon.eligibility(
        subtotal=pricing.subtotal_of(lines),
        now=now or state.at,
        customer_uses=Order.objects.coupon_uses(coupon=coupon, customer=customer),
        releases=state.releases,
    )
    if not eligibility.ok:
        raise CouponInvalid(code=normalised, reason=eligibility.message)
    with transaction.atomic():
        cart = locks.lock_cart(cart.pk)
        if not cart.is_open:
            raise CartClosed()
        Cart.objects.filter(pk=cart.pk).update(coupon=coupon, updated=timezone.now())
    return coupon


def remove_coupon(*, cart: Cart) -> None:
    """Take the coupon off the cart (nothing happens if there is none)."""
    with transaction.atomic():
        cart = locks.lock_cart(cart.pk)
        if not cart.is_open:
            raise CartClosed()
        Cart.objects.filter(pk=cart.pk).update(coupon=None, updated=timezone.now())


# Merging on login ---------------------------------------------------------------------------


def merged_quantities(
    mine: dict[int, int], incoming: dict[int, int], stock: dict[int, int]
) -> dict[int, int]:
    """The cart merge policy, as a pure function over {variant id: quantity}.

    Quantities of the same variant are added, then capped at the stock left (and at
    MAX_LINE_QUANTITY); a variant with nothing left drops out. Order-independent, and
    idempotent: merging the result with nothing changes nothing.
    """
    merged = {}
    for variant_id in mine.keys() | incoming.keys():
        wanted = mine.get(variant_id, 0) + incoming.get(variant_id, 0)
        quantity = min(wanted, max(stock.get(variant_id, 0), 0), MAX_LINE_QUANTITY)
        if quantity > 0:
            merged[variant_id] = quantity
    return merged


@dataclass(frozen=True)
class MergeReport:
    """What a login did to the cart, in words for the shopper."""

    added: list[str]  # "2 × Linen Shirt (M)"
    capped: list[str]  # "Linen Shirt (M): only 3 left, your cart has 3"
    dropped: list[str]  # "Linen Shirt (L) is sold out"

    @property
    def messages(self) -> list[str]:
        notes = []
        if self.added:
            notes.append(
                "We added what you picked before signing in: " + ", ".join(self.added) + "."
            )
        notes += [f"{note}." for note in self.capped + self.dropped]
        return notes


def merge_into_customer(*, session: SessionBase, customer) -> MergeReport:
    """Merge the session's anonymous cart into the customer's open cart (see merged_quantities).

    Without a customer cart, the anonymous cart simply becomes theirs. The session then points
    at the customer's cart. Safe to run twice or concurrently: the anonymous cart is deleted
    under lock once merged.
    """
    empty = MergeReport([], [], [])
    token = session.get(session_keys.CART)
    mine = Cart.objects.open().filter(customer=customer).order_by("-updated", "-pk").first()
    anonymous = Cart.objects.open().filter(token=token, customer=None).first() if token else None
    if anonymous is None:
        if mine is not None:
            session[session_keys.CART] = str(mine.token)
        return empty
    if mine is None:
        Cart.objects.filter(pk=anonymous.pk, customer=None).update(customer=customer)
        return empty
    with transaction.atomic():
        held = {c.pk: c for c in locks.lock_carts([anonymous.pk, mine.pk])}
        theirs_cart = held.get(anonymous.pk)
        if theirs_cart is None or not theirs_cart.is_open or theirs_cart.customer_id:
            session[session_keys.CART] = str(mine.token)
            return empty  # a concurrent login merged it already
        lines = list(
            CartLine.objects.filter(cart__in=[anonymous, mine]).select_related("variant__product")
        )
        ours = {ln.variant_id: ln for ln in lines if ln.cart_id == mine.pk}
        theirs = {ln.variant_id: ln for ln in lines if ln.cart_id == anonymous.pk}
        merged = merged_quantities(
            {v: ln.quantity for v, ln in ours.items()},
            {v: ln.quantity for v, ln in theirs.items()},
            {ln.variant_id: ln.variant.stock for ln in lines},
        )
        added, capped, dropped = [], [], []
        for variant_id, line in {**theirs, **ours}.items() if theirs else ():
            name = display_name(line.variant)
            wanted = sum(side[variant_id].quantity for side in (ours, theirs) if variant_id in side)
            quantity = merged.get(variant_id, 0)
            if variant_id in theirs and quantity:
                added.append(f"{theirs[variant_id].quantity} × {name}")
            if not quantity:
                dropped.append(Availability(quantity=0).merged(name=name))
            elif quantity < wanted:
                capped.append(Availability(quantity=quantity).merged(name=name))
            if variant_id in ours:
                if quantity:
                    CartLine.objects.filter(pk=ours[variant_id].pk).update(quantity=quantity)
                else:
                    CartLine.objects.filter(pk=ours[variant_id].pk).delete()
            elif quantity:
                CartLine.objects.filter(pk=line.pk).update(cart=mine, quantity=quantity)
        if mine.coupon_id is None and theirs_cart.coupon_id:
            Cart.objects.filter(pk=mine.pk).update(coupon_id=theirs_cart.coupon_id)
        Cart.objects.filter(pk=mine.pk).update(updated=timezone.now())
        theirs_cart.delete()
    session[session_keys.CART] = str(mine.token)
    return MergeReport(added, capped, dropped)

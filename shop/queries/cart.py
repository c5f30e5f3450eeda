"""Read models for the cart page, the checkout review and the header's cart badge."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.db.models import Prefetch, Sum

from shop import session_keys
from shop.domain import pricing
from shop.domain.availability import Availability
from shop.domain.customers import is_customer
from shop.domain.pricing import Change, Quote, QuoteLine
from shop.models import Cart, CartLine, Order, ProductImage, ShippingMethod
from shop.moment.resolve import resolve
from shop.moment.values import StoreState


@dataclass
class CartLineView:
    """A cart line as the cart page shows it: the row, its picture, and the line as priced."""

    line: CartLine
    image: ProductImage | None
    priced: QuoteLine

    @property
    def name(self) -> str:
        return self.priced.name

    @property
    def unit_price(self) -> Decimal:
        return self.priced.unit_price

    @property
    def line_total(self) -> Decimal:
        return self.priced.line_total

    @property
    def availability(self) -> Availability:
        return Availability(quantity=self.priced.stock)

    @property
    def price_changed(self) -> bool:
        return self.line.price_seen != self.unit_price

    @property
    def price_went_down(self) -> bool:
        return self.unit_price < self.line.price_seen

    @property
    def short_of_stock(self) -> bool:
        """The cart asks for more than is left (checkout would refuse it)."""
        return self.priced.short_of_stock


@dataclass
class CartView:
    cart: Cart | None
    lines: list[CartLineView]
    quote: Quote | None

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not any(view.short_of_stock for view in self.lines)


def shipping_options() -> list[ShippingMethod]:
    """The delivery options a shopper can choose now (one query)."""
    return list(ShippingMethod.objects.active())


def review(
    *,
    cart: Cart,
    customer=None,
    email: str = "",
    lines: list[CartLine] | None = None,
    shipping_methods: list[ShippingMethod] | None = None,
    state: StoreState,
) -> Quote:
    """The quote to show on the cart and review pages (no locks: placing re-checks everything),
    priced in `state`.

    `lines` (with `variant__product`) and `shipping_methods` may be passed pre-loaded to save
    their queries.
    """
    if lines is None:
        lines = list(
            CartLine.objects.filter(cart=cart).select_related("variant__product").order_by("pk")
        )
    state.effects.apply(line.variant for line in lines)
    coupon = cart.coupon
    quote, _ = pricing.price_cart(
        lines=lines,
        coupon=coupon,
        coupon_uses=Order.objects.coupon_uses(coupon=coupon, customer=customer, email=email),
        now=state.at,
        shipping_methods=shipping_options() if shipping_methods is None else shipping_methods,
        releases=state.releases,
        shown=state.effects.visible,
    )
    return quote


@dataclass(frozen=True)
class CheckoutReview:
    """What the checkout page shows: the quote for the cart, the delivery options, and what
    changed since the shopper last confirmed (if anything did)."""

    cart: Cart
    quote: Quote
    shipping_methods: list[ShippingMethod]
    changes: list[Change] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """The cart must change before it can be ordered (an item sold out or ran short)."""
        return any(change.blocking for change in self.changes)


class Changed(Protocol):
    changes: list[Change]
    quote: Quote


def checkout_review(
    *, cart: Cart, customer=None, email: str = "", changed: Changed | None = None
) -> CheckoutReview:
    """The checkout page's read model, priced in the live store now, or as `changed` says (a
    checkout outcome priced under lock: what the shopper pays if they confirm it). Checkout is
    never priced at another moment: nothing is sold from a preview."""
    methods = shipping_options()
    if changed is not None:
        return CheckoutReview(cart, changed.quote, methods, changes=changed.changes)
    quote = review(
        cart=cart, customer=customer, email=email, shipping_methods=methods, state=resolve()
    )
    return CheckoutReview(cart=cart, quote=quote, shipping_methods=methods)


def cart_page(*, cart: Cart | None, customer=None, state: StoreState) -> CartView:
    """The cart with the prices in `state`, the price each line
    was added at, stock and the coupon.

    A fixed number of queries: lines with variants and products, their primary images, the
    shipping methods, and (only with a per-customer coupon) the customer's uses of it.
    """
    if cart is None:
        return CartView(cart=None, lines=[], quote=None)
    lines = list(
        CartLine.objects.filter(cart=cart)
        .select_related("variant__product")
        .prefetch_related(
            Prefetch(
                "variant__product__images",
                queryset=ProductImage.objects.filter(is_primary=True),
                to_attr="primary_images",
            )
        )
        .order_by("added", "pk")
    )
    if not lines:
        return CartView(cart=cart, lines=[], quote=None)
    quote = review(cart=cart, customer=customer, lines=lines, state=state)
    views = [
        CartLineView(
            line=line,
            # `primary_images` is the Prefetch(to_attr=...) above; mypy cannot see through it.
            image=next(iter(line.variant.product.primary_images), None),  # type: ignore[attr-defined]
            priced=priced,
        )
        for line, priced in zip(lines, quote.lines, strict=True)
    ]
    return CartView(cart=cart, lines=views, quote=quote)


def item_count(*, session, customer=None) -> int:
    """Units in the shopper's open cart: what the header badge shows (one query, or none)."""
    token = session.get(session_keys.CART)
    lines = CartLine.objects.filter(cart__status=Cart.Status.OPEN)
    if token:
        lines = lines.filter(cart__token=token)
    elif is_customer(customer):
        lines = lines.filter(cart__customer=customer)
    else:
        return 0
    return lines.aggregate(n=Sum("quantity"))["n"] or 0

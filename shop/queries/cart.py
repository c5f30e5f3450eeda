"""Read models for the cart page, the checkout review and the header's cart badge."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Sum

from shop.domain.availability import Availability
from shop.models import Cart, CartLine, ProductImage
from shop.services import checkout
from shop.services.accounts import is_customer
from shop.services.cart import SESSION_KEY
from shop.services.pricing import Quote, QuoteLine


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


def cart_page(*, cart: Cart | None, customer=None) -> CartView:
    """The cart with current prices, the price each line was added at, stock and the coupon.

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
    quote = checkout.review(cart=cart, customer=customer, lines=lines)
    views = [
        CartLineView(
            line=line,
            image=next(iter(line.variant.product.primary_images), None),
            priced=priced,
        )
        for line, priced in zip(lines, quote.lines, strict=True)
    ]
    return CartView(cart=cart, lines=views, quote=quote)


def item_count(*, session, customer=None) -> int:
    """Units in the shopper's open cart: what the header badge shows (one query, or none)."""
    token = session.get(SESSION_KEY)
    lines = CartLine.objects.filter(cart__status=Cart.Status.OPEN)
    if token:
        lines = lines.filter(cart__token=token)
    elif is_customer(customer):
        lines = lines.filter(cart__customer=customer)
    else:
        return 0
    return lines.aggregate(n=Sum("quantity"))["n"] or 0

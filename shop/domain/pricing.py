"""Pricing a cart: subtotal, coupon discount, shipping and VAT, and what changed since a quote.

Pure functions over rows the caller has already read (the cart page reads them plainly,
checkout under lock). A `Quote` is what the shopper is shown; its signed form travels in the
checkout form so that, on submit, the server can tell the shopper exactly what changed since
they looked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing

from shop.domain.availability import Availability
from shop.domain.money import ZERO, allocate, to_money, vat_included

if TYPE_CHECKING:
    from shop.models import CartLine, Coupon, ShippingMethod

QUOTE_SALT = "shop.checkout.quote"
QUOTE_MAX_AGE = 60 * 60 * 24  # a review page older than a day is reviewed again


@dataclass(frozen=True)
class QuoteLine:
    variant_id: int
    sku: str
    name: str  # what the shopper reads: "Linen Shirt (M / Navy)"
    quantity: int
    unit_price: Decimal
    stock: int
    price_note: str = ""  # the release whose price this is ("" for the variant's own)

    @property
    def line_total(self) -> Decimal:
        return to_money(self.unit_price * self.quantity)

    @property
    def short_of_stock(self) -> bool:
        return self.stock < self.quantity

    @property
    def availability(self) -> Availability:
        return Availability(quantity=self.stock)


@dataclass(frozen=True)
class Quote:
    lines: list[QuoteLine]
    coupon_code: str = ""
    coupon_label: str = ""
    coupon_problem: str = ""  # why a coupon on the cart does not apply now ("" if it does)
    discount: Decimal = ZERO
    shipping: dict[str, Decimal] = field(default_factory=dict)

    @property
    def subtotal(self) -> Decimal:
        return to_money(sum((line.line_total for line in self.lines), ZERO))

    def shipping_price(self, code: str | None) -> Decimal:
        return self.shipping.get(code or "", ZERO)

    def total(self, shipping_code: str | None = None) -> Decimal:
        return self.subtotal - self.discount + self.shipping_price(shipping_code)

    def tax(self, shipping_code: str | None = None) -> Decimal:
        return vat_included(self.total(shipping_code), Decimal(settings.VAT_RATE))

    def line_discounts(self) -> list[Decimal]:
        """The discount shared across lines in proportion to their totals, to the penny."""
        return allocate(self.discount, [line.line_total for line in self.lines])

    def signed(self) -> str:
        """The quote as the shopper saw it, signed so a tampered form is recognised."""
        return signing.dumps(
            {
                "lines": [[ln.variant_id, ln.quantity, str(ln.unit_price)] for ln in self.lines],
                "coupon": self.coupon_code,
                "discount": str(self.discount),
                "shipping": {code: str(price) for code, price in self.shipping.items()},
            },
            salt=QUOTE_SALT,
            compress=True,
        )


@dataclass(frozen=True)
class Confirmed:
    """What a shopper confirmed on the review page (from the signed quote)."""

    lines: dict[int, tuple[int, Decimal]]  # variant id -> (quantity, unit price)
    coupon_code: str
    discount: Decimal
    shipping: dict[str, Decimal]


class QuoteTampered(Exception):
    """The signed quote is missing, altered or too old."""


def read_signed(value: str) -> Confirmed:
    """Unpack a signed quote; raises QuoteTampered if it is not one we signed recently."""
    try:
        data = signing.loads(value or "", salt=QUOTE_SALT, max_age=QUOTE_MAX_AGE)
        return Confirmed(
            lines={int(v): (int(q), Decimal(p)) for v, q, p in data["lines"]},
            coupon_code=str(data["coupon"]),
            discount=Decimal(data["discount"]),
            shipping={str(c): Decimal(p) for c, p in data["shipping"].items()},
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise QuoteTampered() from exc


def display_name(product_name: str, variant_name: str) -> str:
    if variant_name in {"", "One size", "Default"}:
        return product_name
    return f"{product_name} ({variant_name})"


def price_cart(
    *,
    lines: list[CartLine],
    coupon: Coupon | None,
    coupon_uses: int,
    now: datetime,
    shipping_methods: list[ShippingMethod],
    releases: Sequence[int] = (),
    shown: Mapping[int, bool] | None = None,
) -> tuple[Quote, Coupon | None]:
    """Price cart lines (with `variant.product` loaded) as they stand at `now`.

    Each line costs its variant's `price_now`: the price of the release in force that sets it,
    which the caller gave the variant (`Effects.apply`, shop.moment.values: the read models, and
    checkout under its locks), else the variant's own. `releases` are the releases in force (a
    release's coupon applies only then), and `shown` the products they show (True) or hide
    (False). `coupon` is the cart's coupon, if any, and `coupon_uses` this shopper's live orders
    with it (for a per-customer limit). Returns the quote and the coupon if it still applies
    (else the quote says why not). Products no longer on sale (or hidden) count as sold out.
    """
    applied, problem = None, ""
    if coupon is not None:
        eligibility = coupon.eligibility(
            subtotal=subtotal_of(lines), now=now, customer_uses=coupon_uses, releases=releases
        )
        if eligibility.ok:
            applied = coupon
        else:
            problem = eligibility.message
    shown = shown or {}

    def on_sale(product) -> bool:
        return shown.get(product.pk, product.is_on_sale(now))

    quote_lines = [
        QuoteLine(
            variant_id=line.variant_id,
            sku=line.variant.sku,
            name=display_name(line.variant.product.name, line.variant.name),
            quantity=line.quantity,
            unit_price=line.variant.price_now,
            stock=line.variant.stock if on_sale(line.variant.product) else 0,
            price_note=line.variant.price_note,
        )
        for line in lines
    ]
    subtotal = to_money(sum((ql.line_total for ql in quote_lines), ZERO))
    quote = Quote(
        lines=quote_lines,
        coupon_code=applied.code if applied else "",
        coupon_label=applied.label if applied else "",
        coupon_problem=problem,
        discount=applied.discount_for(subtotal) if applied else ZERO,
        shipping={m.code: m.price for m in shipping_methods},
    )
    return quote, applied


def subtotal_of(lines: list[CartLine]) -> Decimal:
    """The subtotal of cart lines at the prices in force (what coupon eligibility is checked on)."""
    return to_money(sum((line.variant.price_now * line.quantity for line in lines), ZERO))


# What changed between the quote the shopper confirmed and the live one.


@dataclass(frozen=True)
class Change:
    """One difference the shopper must see. `blocking` ones must be fixed in the cart first."""

    kind: str  # price | stock | coupon | discount | shipping | added | removed | quantity
    message: str
    blocking: bool = False


def changes_since(confirmed: Confirmed, live: Quote, shipping_code: str) -> list[Change]:
    """Every difference between what the shopper confirmed and `live`, in words."""
    symbol = settings.CURRENCY_SYMBOL
    changes: list[Change] = []
    live_ids = set()
    for line in live.lines:
        live_ids.add(line.variant_id)
        seen = confirmed.lines.get(line.variant_id)
        if seen is None:
            changes.append(Change("added", f"{line.name} was added to your cart."))
        else:
            quantity, price = seen
            if quantity != line.quantity:
                changes.append(
                    Change(
                        "quantity",
                        f"{line.name}: the quantity changed from {quantity} to {line.quantity}.",
                    )
                )
            if price != line.unit_price:
                verb = "went up" if line.unit_price > price else "went down"
                why = f" ({line.price_note})" if line.price_note else ""
                changes.append(
                    Change(
                        "price",
                        f"The price of {line.name} {verb} from {symbol}{price} to "
                        f"{symbol}{line.unit_price}{why}.",
                    )
                )
        if line.short_of_stock:
            message = line.availability.since_review(name=line.name, wanted=line.quantity)
            changes.append(Change("stock", message, blocking=True))
    removed = len(confirmed.lines.keys() - live_ids)
    if removed:
        things = "An item" if removed == 1 else f"{removed} items"
        verb = "is" if removed == 1 else "are"
        changes.append(Change("removed", f"{things} you reviewed {verb} no longer in your cart."))
    if confirmed.coupon_code and confirmed.coupon_code != live.coupon_code:
        reason = live.coupon_problem or f"The code {confirmed.coupon_code} no longer applies."
        changes.append(Change("coupon", f"{reason} Its discount has been taken off."))
    elif confirmed.discount != live.discount:
        changes.append(
            Change(
                "discount",
                f"Your discount changed from {symbol}{confirmed.discount} to "
                f"{symbol}{live.discount}.",
            )
        )
    confirmed_shipping = confirmed.shipping.get(shipping_code)
    if confirmed_shipping is not None and confirmed_shipping != live.shipping_price(shipping_code):
        changes.append(
            Change(
                "shipping",
                f"Delivery now costs {symbol}{live.shipping_price(shipping_code)} "
                f"(it was {symbol}{confirmed_shipping}).",
            )
        )
    return changes

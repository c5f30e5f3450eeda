"""The visitor asking, as the holes of a shared page see them (partials.holes.Visitor).

Public pages are the same HTML for everyone; what differs per visitor is answered here, from
the session alone (who is signed in, whether they edit the homepage) and at most one query:
the lines of their open cart and the products on their wishlist, read together (a UNION).
A visitor with no cart, no wishlist and no account costs no query at all.

The session is trusted for "signed in" without loading the user: it only picks the badge's
cart and the "Account" link; every page that shows an account's things loads and checks the
user itself.
"""

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db.models import IntegerField, Value
from django.http import HttpRequest

from shop import session_keys
from shop.models import Cart, CartLine, WishlistItem

CART_ROW, SAVED_ROW = 0, 1


@dataclass
class ShopVisitor:
    """Answers the shop's holes: `cart-count`, `wishlist-count`; conditionals `saved`
    (a product id), `signed-in` and `homepage-editor`."""

    request: HttpRequest

    @cached_property
    def customer_id(self) -> int | None:
        value = self.request.session.get(SESSION_KEY)
        return int(value) if value is not None and str(value).isdigit() else None

    @cached_property
    def _rows(self) -> tuple[tuple[tuple[int, int, str], ...], frozenset[int]]:
        """(cart lines as (id, quantity, last request id), saved product ids): one query."""
        session = self.request.session
        cart_token = session.get(session_keys.CART)
        wishlist_token = session.get(session_keys.WISHLIST)
        parts: list[Any] = []
        if cart_token or self.customer_id:
            cart_lines = CartLine.objects.filter(cart__status=Cart.Status.OPEN)
            cart_lines = (
                cart_lines.filter(cart__token=cart_token)
                if cart_token
                else cart_lines.filter(cart__customer_id=self.customer_id)
            )
            parts.append(
                cart_lines.annotate(kind=Value(CART_ROW, output_field=IntegerField())).values_list(
                    "kind", "pk", "quantity", "last_request_id"
                )
            )
        if self.customer_id or wishlist_token:
            items = (
                WishlistItem.objects.filter(wishlist__customer_id=self.customer_id)
                if self.customer_id
                else WishlistItem.objects.filter(
                    wishlist__token=str(wishlist_token), wishlist__customer=None
                )
            )
            parts.append(
                items.annotate(
                    kind=Value(SAVED_ROW, output_field=IntegerField()),
                    quantity=Value(0, output_field=IntegerField()),
                    request_id=Value(""),
                ).values_list("kind", "product_id", "quantity", "request_id")
            )
        if not parts:
            return (), frozenset()
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        rows = list(query.order_by())
        lines = tuple(sorted((pk, n, rid) for kind, pk, n, rid in rows if kind == CART_ROW))
        saved = frozenset(pk for kind, pk, _n, _rid in rows if kind == SAVED_ROW)
        return lines, saved

    @property
    def cart_count(self) -> int:
        return sum(quantity for _pk, quantity, _rid in self._rows[0])

    @property
    def saved_ids(self) -> frozenset[int]:
        return self._rows[1]

    @property
    def signed_in(self) -> bool:
        return self.customer_id is not None

    @property
    def homepage_editor(self) -> bool:
        return self.signed_in and bool(self.request.session.get(session_keys.HOMEPAGE_EDITOR))

    def value(self, name: str, arg: str) -> object:
        if name == "cart-count":
            return self.cart_count
        if name == "wishlist-count":
            return len(self.saved_ids)
        raise KeyError(name)

    def test(self, name: str, arg: str) -> bool:
        if name == "saved":
            return arg.isdigit() and int(arg) in self.saved_ids
        if name == "signed-in":
            return self.signed_in
        if name == "homepage-editor":
            return self.homepage_editor
        raise KeyError(name)

    def fingerprint(self) -> str:
        lines, saved = self._rows
        return repr((lines, sorted(saved), self.customer_id, self.homepage_editor))


def visitor_for(request: HttpRequest) -> ShopVisitor:
    """settings.PARTIALS_VISITOR: the visitor object partials.holes asks."""
    return ShopVisitor(request)

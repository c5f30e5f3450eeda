"""The visitor asking, as the holes of a shared page see them (partials.holes.Visitor).

Public pages are the same HTML for everyone; what differs per visitor is answered here, from
the session alone (who is signed in, whether they edit the homepage) and at most one query:
the lines of their open cart and the products on their wishlist, read together (a UNION).
A visitor with no cart, no wishlist and no account costs no query at all.

The session is trusted for "signed in" without loading the user: it only picks the badge's
cart and the "Account" link; every page that shows an account's things loads and checks the
user itself.
"""

import uuid
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpRequest

from shop import session_keys
from shop.models import Cart, CartLine, Wishlist, WishlistItem

CART_ROW, SAVED_ROW = 0, 1
CARTS, CART_LINES = Cart._meta.db_table, CartLine._meta.db_table
WISHLISTS, WISHLIST_ITEMS = Wishlist._meta.db_table, WishlistItem._meta.db_table
TOKEN = Cart._meta.get_field("token")  # a UUIDField, as Wishlist.token is


def _uuid(value: object) -> Any:
    """A token as the database stores it (uuid on PostgreSQL, hex text on SQLite); a token
    that is not a UUID matches nothing."""
    try:
        return TOKEN.get_db_prep_value(uuid.UUID(str(value)), connection)
    except ValueError:
        return None


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
        """(cart lines as (id, quantity, last request id), saved product ids): one query.

        Written as SQL: it runs on nearly every request of a visitor with a cart, where the
        ORM's compiling of a UNION of two annotated querysets cost more than the query.
        """
        session = self.request.session
        cart_token = session.get(session_keys.CART)
        wishlist_token = session.get(session_keys.WISHLIST)
        selects: list[str] = []
        params: list[Any] = []
        if cart_token or self.customer_id:
            by = "c.token = %s" if cart_token else "c.customer_id = %s"
            selects.append(
                f"SELECT {CART_ROW}, l.id, l.quantity, l.last_request_id FROM {CART_LINES} l "
                f"JOIN {CARTS} c ON c.id = l.cart_id WHERE c.status = %s AND {by}"
            )
            params += [Cart.Status.OPEN, _uuid(cart_token) if cart_token else self.customer_id]
        if self.customer_id or wishlist_token:
            by = (
                "w.customer_id = %s"
                if self.customer_id
                else "w.token = %s AND w.customer_id IS NULL"
            )
            selects.append(
                f"SELECT {SAVED_ROW}, i.product_id, 0, '' FROM {WISHLIST_ITEMS} i "
                f"JOIN {WISHLISTS} w ON w.id = i.wishlist_id WHERE {by}"
            )
            params.append(self.customer_id or _uuid(wishlist_token))
        if not selects:
            return (), frozenset()
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(selects), params)
            rows = cursor.fetchall()
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

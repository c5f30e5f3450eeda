"""The visitor asking, as the holes of a shared page see them (partials.holes.Visitor).

Public pages are the same HTML for everyone; what differs per visitor is answered here, from
the session alone (who is signed in, whether they edit the homepage) and at most one query:
the lines of their open cart and the products on their wishlist, read together (a UNION).
A visitor with no cart, no wishlist and no account costs no query at all.

The session is trusted for "signed in" without loading the user: it only picks the badge's
cart and the "Account" link; every page that shows an account's things loads and checks the
user itself.

A visitor with a session pays no query of its own on a GET or HEAD: the session store reads
the session and these rows in one statement (`read_with_session`), keyed on copies of the
tokens and customer id saved beside the session's data (`shop.models.Session`), and the
visitor takes them if the session still names what they were found by (`RowsKey`). A
request that may have changed the cart or the wishlist (any other method) asks again.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpRequest

from shop import session_keys
from shop.models import Cart, CartLine, Session, Wishlist, WishlistItem

SESSION_ROW, CART_ROW, SAVED_ROW = -1, 0, 1
SAFE_METHODS = frozenset({"GET", "HEAD"})
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


Rows = tuple[tuple[tuple[int, int, str], ...], frozenset[int]]


def _customer_id(value: object) -> int | None:
    return int(str(value)) if value is not None and str(value).isdigit() else None


class RowsKey(NamedTuple):
    """What a visitor's rows are found by: the open cart's token, an anonymous wishlist's
    token (both as the database stores them, None if absent or not a UUID), the customer."""

    cart: Any
    wishlist: Any
    customer: int | None

    @classmethod
    def of(cls, data: Any) -> "RowsKey":
        """The key of session data (a mapping, or the session itself)."""
        cart, wishlist = data.get(session_keys.CART), data.get(session_keys.WISHLIST)
        return cls(
            _uuid(cart) if cart else None,
            _uuid(wishlist) if wishlist else None,
            _customer_id(data.get(SESSION_KEY)),
        )


def _rows_of(rows: Sequence[Sequence[Any]]) -> Rows:
    """(cart lines as (id, quantity, last request id), saved product ids) from rows whose
    first column says which they are."""
    lines = tuple(sorted((r[-3], r[-2], r[-1]) for r in rows if r[0] == CART_ROW))
    saved = frozenset(r[-3] for r in rows if r[0] == SAVED_ROW)
    return lines, saved


SESSIONS = Session._meta.db_table
_READ_WITH_SESSION = f"""
WITH s AS (SELECT session_data, cart_token, wishlist_token, customer_id FROM {SESSIONS}
           WHERE session_key = %s AND expire_date > %s)
SELECT {SESSION_ROW}, s.session_data, s.cart_token, s.wishlist_token, s.customer_id,
       CAST(NULL AS integer), CAST(NULL AS integer), CAST(NULL AS varchar(32)) FROM s
UNION ALL
SELECT {CART_ROW}, NULL, NULL, NULL, NULL, l.id, l.quantity, l.last_request_id
FROM s JOIN {CARTS} c ON c.token = s.cart_token JOIN {CART_LINES} l ON l.cart_id = c.id
WHERE c.status = %s
UNION ALL
SELECT {CART_ROW}, NULL, NULL, NULL, NULL, l.id, l.quantity, l.last_request_id
FROM s JOIN {CARTS} c ON c.customer_id = s.customer_id JOIN {CART_LINES} l ON l.cart_id = c.id
WHERE s.cart_token IS NULL AND c.status = %s
UNION ALL
SELECT {SAVED_ROW}, NULL, NULL, NULL, NULL, i.product_id, 0, ''
FROM s JOIN {WISHLISTS} w ON w.customer_id = s.customer_id
JOIN {WISHLIST_ITEMS} i ON i.wishlist_id = w.id
UNION ALL
SELECT {SAVED_ROW}, NULL, NULL, NULL, NULL, i.product_id, 0, ''
FROM s JOIN {WISHLISTS} w ON w.token = s.wishlist_token
JOIN {WISHLIST_ITEMS} i ON i.wishlist_id = w.id
WHERE s.customer_id IS NULL AND w.customer_id IS NULL
"""


def _prepared_cursor() -> Any:
    """On PostgreSQL, a cursor whose statements the server prepares once per connection
    (server-side binding; `prepare_threshold` in config/settings.py): parsing and planning
    this five-part statement cost the server about four times what running it does, so
    unprepared it took longer than the two queries it replaced. Elsewhere, Django's cursor.
    It is Django's wrapper either way, so the statement is logged and counted as any other."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = ServerBindingCursor(connection.connection)  # type: ignore[call-arg]
        return connection._prepare_cursor(cursor)  # type: ignore[attr-defined]


def read_with_session(session_key: str, now: Any) -> tuple[str, RowsKey, Rows] | None:
    """The data of the unexpired session `session_key` (`now` as the database stores it),
    the key its visitor rows were found by, and those rows: one statement. None if there is
    no such session."""
    status = str(Cart.Status.OPEN)
    with _prepared_cursor() as cursor:
        cursor.execute(_READ_WITH_SESSION, [session_key, now, status, status])
        rows = cursor.fetchall()
    head = next((row for row in rows if row[0] == SESSION_ROW), None)
    if head is None:
        return None
    return head[1], RowsKey(head[2], head[3], head[4]), _rows_of(rows)


@dataclass
class ShopVisitor:
    """Answers the shop's holes: `cart-count`, `wishlist-count`; conditionals `saved`
    (a product id), `signed-in` and `homepage-editor`."""

    request: HttpRequest

    @cached_property
    def customer_id(self) -> int | None:
        return _customer_id(self.request.session.get(SESSION_KEY))

    @cached_property
    def _rows(self) -> Rows:
        """(cart lines as (id, quantity, last request id), saved product ids): those the
        session read found (see the module), or one query.

        Written as SQL: it runs on nearly every request of a visitor with a cart, where the
        ORM's compiling of a UNION of two annotated querysets cost more than the query.
        """
        session = self.request.session
        if self.request.method in SAFE_METHODS:
            found = getattr(session, "rows_read_along", None)
            if found is not None and found[0] == RowsKey.of(session):
                return found[1]
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
        return _rows_of(rows)

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

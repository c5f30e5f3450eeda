"""What the holes of a shared page show each visitor: their badges, hearts and account link,
read with the session in one statement, or at most one query of their own."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.sessions import SessionStore
from shop import session_keys
from shop.models import CartLine, Product, Session
from shop.queries.visitor import ShopVisitor
from tests.factories import UserFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    return [make_product(name=f"Thing {i}") for i in range(3)]


def badges(html: str) -> tuple[str, str]:
    cart = re.search(r'id="cart-badge"[^>]*>Cart <span class="cart-badge__count">(\d+)', html)[1]
    saved = re.search(r'id="wishlist-badge"[^>]*>Wishlist <span[^>]*>(\d+)', html)[1]
    return cart, saved


def hearts(html: str) -> dict[int, str]:
    found = re.findall(r'id="wishlist-button-(\d+)"[^>]*>.*?</span> (Saved|Save)<', html, re.S)
    return {int(pk): state for pk, state in found}


def test_a_shopper_sees_their_own_badges_hearts_and_account_link(client, products):
    first, second, _ = products
    client.post("/cart/add/", {"variant": first.variants.get().pk, "quantity": 2})
    client.post("/wishlist/items/", {"product": second.pk, "state": "on"})
    html = client.get("/catalog/").content.decode()
    assert badges(html) == ("2", "1")
    assert hearts(html)[second.pk] == "Saved" and hearts(html)[first.pk] == "Save"
    assert ">Log in</a>" in html and "<!--" not in html
    client.force_login(UserFactory())
    assert ">Account</a>" in client.get("/catalog/").content.decode()


def test_a_shopper_on_a_cached_page_costs_one_query_the_session_with_its_rows(
    client, products, warm_footer
):
    client.post("/cart/add/", {"variant": products[0].variants.get().pk, "quantity": 2})
    client.post("/wishlist/items/", {"product": products[1].pk, "state": "on"})
    client.get("/catalog/")  # the page is cached now
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/catalog/").content.decode()
    assert badges(html) == ("2", "1")
    assert hearts(html)[products[1].pk] == "Saved"
    assert len(queries) == 1
    assert "shop_session" in queries[0]["sql"]
    with connection.cursor() as cursor:  # prepared: the server plans it once per connection
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert [s for (s,) in cursor.fetchall() if "shop_session" in s]


def test_a_logout_elsewhere_shows_at_once(client, products):
    client.force_login(UserFactory())
    client.post("/cart/add/", {"variant": products[0].variants.get().pk, "quantity": 1})
    html = client.get("/catalog/").content.decode()
    assert badges(html) == ("1", "0") and ">Account</a>" in html
    Session.objects.filter(session_key=client.session.session_key).delete()

    html = client.get("/catalog/").content.decode()
    assert badges(html) == ("0", "0") and ">Log in</a>" in html


def session_of(client) -> SessionStore:
    """A fresh store of `client`'s session, read from the database (with the visitor's rows)."""
    store = SessionStore(client.session.session_key)
    store.get(session_keys.CART)  # reads it
    assert store.rows_read_along is not None
    return store


def test_a_session_that_names_another_cart_than_it_was_read_with_asks_again(products, rf):
    mine, theirs = Client(), Client()
    mine.post("/cart/add/", {"variant": products[0].variants.get().pk, "quantity": 1})
    theirs.post("/cart/add/", {"variant": products[1].variants.get().pk, "quantity": 3})
    request = rf.get("/catalog/")
    request.session = session_of(mine)
    request.session[session_keys.CART] = theirs.session[session_keys.CART]
    with CaptureQueriesContext(connection) as queries:
        assert ShopVisitor(request).cart_count == 3
    assert len(queries) == 1


def test_a_request_that_may_change_the_cart_asks_again(client, products, rf):
    client.post("/cart/add/", {"variant": products[0].variants.get().pk, "quantity": 1})
    client.post("/wishlist/items/", {"product": products[1].pk, "state": "on"})
    request = rf.post("/cart/add/")
    request.session = session_of(client)
    CartLine.objects.update(quantity=4)  # as the view would, after the session was read
    with CaptureQueriesContext(connection) as queries:
        visitor = ShopVisitor(request)
        assert (visitor.cart_count, visitor.saved_ids) == (4, frozenset({products[1].pk}))
        visitor.fingerprint()
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert "UNION" in queries[0]["sql"]


def test_a_visitor_without_cart_wishlist_or_account_costs_no_query(rf, products):
    request = rf.get("/")
    request.session = {}
    with CaptureQueriesContext(connection) as queries:
        visitor = ShopVisitor(request)
        assert (visitor.cart_count, visitor.saved_ids, visitor.signed_in) == (0, frozenset(), False)
    assert len(queries) == 0
    assert Product.objects.count() == 3

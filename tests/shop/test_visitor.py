"""What the holes of a shared page show each visitor: their badges, hearts and account link,
read from the session and at most one query."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import Product
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


def test_the_visitor_costs_one_query_beside_the_session(client, products):
    client.post("/cart/add/", {"variant": products[0].variants.get().pk, "quantity": 1})
    client.post("/wishlist/items/", {"product": products[1].pk, "state": "on"})
    from shop.queries.visitor import ShopVisitor

    request = client.get("/catalog/").wsgi_request
    visitor = ShopVisitor(request)
    with CaptureQueriesContext(connection) as queries:
        assert (visitor.cart_count, visitor.saved_ids) == (1, frozenset({products[1].pk}))
        visitor.fingerprint()
    assert len(queries) == 1
    assert "UNION" in queries[0]["sql"]


def test_a_visitor_without_cart_wishlist_or_account_costs_no_query(rf, products):
    from shop.queries.visitor import ShopVisitor

    request = rf.get("/")
    request.session = {}
    with CaptureQueriesContext(connection) as queries:
        visitor = ShopVisitor(request)
        assert (visitor.cart_count, visitor.saved_ids, visitor.signed_in) == (0, frozenset(), False)
    assert len(queries) == 0
    assert Product.objects.count() == 3

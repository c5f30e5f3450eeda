"""HTTP semantics every route keeps: HEAD wherever GET works, and personal pages never cached."""

from decimal import Decimal

import pytest
from django.test import Client

from shop.domain import pricing
from shop.moment.resolve import resolve
from shop.queries import cart as cart_queries
from shop.queries import orders as order_queries
from shop.services import checkout
from tests.factories import (
    ShippingMethodFactory,
    UserFactory,
    cart_with,
    make_editor,
    make_live_layout,
    make_product,
)
from tests.shop.test_orders import DETAILS
from tests.test_bad_input import shop_paths

pytestmark = pytest.mark.django_db


def test_head_works_on_every_get_route():
    """Load balancers and link checkers send HEAD: wherever GET is allowed, HEAD is too, with
    the same status and no body."""
    make_product(name="Thing")
    make_live_layout({"kind": "hero", "heading": "Hello"})
    editor = Client()
    editor.force_login(make_editor())
    checked, failures = 0, []
    for client in (Client(), editor):
        for path in shop_paths():
            get = client.get(path)
            if get.status_code == 405:
                continue  # a POST-only route
            head = client.head(path)
            checked += 1
            if head.status_code != get.status_code or head.content:
                failures.append(f"HEAD {path}: {head.status_code} (GET {get.status_code})")
    assert failures == []
    assert checked > 20


def directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


PERSONAL_PAGES = [
    "/cart/",
    "/checkout/",
    "/wishlist/",
    "/account/",
    "/account/login/",
    "/account/signup/",
    "/account/password-reset/",
    "/account/password-reset/sent/",
    "/account/password-reset/MQ/abc-def/",
    "/account/password-reset/done/",
]


@pytest.mark.parametrize("path", PERSONAL_PAGES)
@pytest.mark.parametrize("logged_in", [False, True])
def test_personal_pages_are_private_and_never_stored(client, path, logged_in):
    if logged_in:
        client.force_login(UserFactory())
    variant = make_product(name="Thing").variants.get()
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    response = client.get(path)
    assert response.status_code < 400
    assert {"private", "no-store"} <= directives(response)


def test_the_order_page_is_private_and_never_stored(client):
    ShippingMethodFactory(price=Decimal("3.95"))
    cart = cart_with((make_product(name="Mug").variants.get(), 1))
    order, _ = checkout.place_order(
        cart_id=cart.pk,
        checkout_token=cart.checkout_token,
        confirmed=pricing.read_signed(cart_queries.review(state=resolve(), cart=cart).signed()),
        details=DETAILS,
    )
    session = client.session
    order_queries.remember(session, order)
    session.save()
    response = client.get(order.get_absolute_url())
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_public_pages_stay_cacheable(client):
    make_product(name="Thing")
    for path in ("/", "/catalog/", "/products/thing/"):
        assert "no-store" not in directives(client.get(path))


@pytest.mark.django_db
def test_every_page_denies_the_browser_features_the_shop_never_uses(client):
    policy = client.get("/catalog/")["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy

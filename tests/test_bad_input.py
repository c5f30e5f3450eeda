"""Every route, fed malformed input by GET and POST, with and without htmx: never a 5xx.

A seeded random mix of broken values (empty, negative, huge, not a number, markup, NUL, emoji)
for every form field name the shop uses, as an anonymous shopper and as a homepage editor.
"""

import random

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from shop.models import Cart, Wishlist
from tests.factories import (
    PASSWORD,
    ShippingMethodFactory,
    UserFactory,
    make_editor,
    make_live_layout,
    make_product,
)

pytestmark = pytest.mark.django_db

BAD_VALUES = ["", "0", "-1", "abc", "9" * 30, "<script>x</script>", "1e400", "🙂", "\x00", "1.5"]
FIELDS = [
    "variant", "quantity", "product", "state", "code", "next", "email", "password",
    "checkout_token", "quote", "shipping", "card_number", "key", "kind", "heading", "region",
    "order", "direction", "visible", "revision", "slug", "token", "return_to", "text",
]  # fmt: skip
SAMPLE_ARGUMENTS = {
    "<int:line_id>": "1",
    "<int:item_id>": "1",
    "<slug:slug>": "thing",
    "<slug:category_slug>": "no-such-category",
    "<uuid:token>": "00000000-0000-0000-0000-000000000000",
    "<uuid:key>": "00000000-0000-0000-0000-000000000001",
    "<int:version>": "1",
    "<str:token>": "not-a-signed-token",
    "<uidb64>": "MQ",
    "<token>": "abc-def",
}


def shop_paths() -> list[str]:
    """Every non-admin URL pattern, with sample values for its arguments."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if "admin" not in str(pattern.pattern):
                    yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    paths = []
    for route in walk(get_resolver().url_patterns):
        if route.startswith("^media"):
            continue
        for argument, value in SAMPLE_ARGUMENTS.items():
            route = route.replace(argument, value)
        assert "<" not in route, f"add a sample value for {route}"
        paths.append("/" + route)
    return paths


def test_malformed_input_never_gets_a_server_error(settings):
    settings.DEBUG = False
    ShippingMethodFactory()
    make_product(name="Thing")
    make_live_layout({"kind": "hero", "heading": "Hello"})
    editor = Client(raise_request_exception=False)
    editor.force_login(make_editor())
    rng = random.Random(2026)
    failures = []
    paths = shop_paths()
    assert len(paths) > 30
    for client in (Client(raise_request_exception=False), editor):
        for path in paths:
            response = client.get(path, {rng.choice(FIELDS): rng.choice(BAD_VALUES)})
            if response.status_code >= 500:
                failures.append(f"GET {path}: {response.status_code}")
            for _ in range(6):
                data = {field: rng.choice(BAD_VALUES) for field in rng.sample(FIELDS, 8)}
                for headers in ({}, {"HX-Request": "true"}):
                    response = client.post(path, data, headers=headers)
                    if response.status_code >= 500:
                        failures.append(f"POST {path} {data} {headers}: {response.status_code}")
    assert failures == []


# Redirect targets. `next` is user input: anything but a local path ("NaN", "cart", "0" and "{}"
# read as URL names; the rest leave the site) goes to the route's default, never a 500, so a
# login is never lost and an add never leaves a cart the session does not know.

UNSAFE_NEXT = [
    "NaN", "cart", "0", "{}", "//evil.example", "/\\evil.example", "https://evil.example/x",
    "javascript:alert(1)",
]  # fmt: skip


@pytest.fixture
def customer():
    return UserFactory(username="ada@example.com", email="ada@example.com")


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_add_to_cart_with_an_unsafe_next_goes_back_to_the_product(client, next_url):
    variant = make_product(name="Thing").variants.get()
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": 1, "next": next_url})
    assert response.status_code == 303
    product_page = variant.product.get_absolute_url()
    assert response["Location"] == f"{product_page}?variant={variant.pk}"
    cart = Cart.objects.get()
    assert client.session["cart_token"] == str(cart.token)
    assert cart.lines.get().quantity == 1


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_the_heart_with_an_unsafe_next_goes_to_the_wishlist(client, next_url):
    product = make_product(name="Thing")
    data = {"product": product.pk, "state": "on", "next": next_url}
    response = client.post("/wishlist/items/", data)
    assert response.status_code == 303 and response["Location"] == "/wishlist/"
    assert client.session["wishlist_token"] == str(Wishlist.objects.get().token)
    # With htmx the heart comes back (the unsafe value stays inert in its hidden input).
    data["state"] = "off"
    assert client.post("/wishlist/items/", data, headers={"HX-Request": "true"}).status_code == 200


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_login_with_an_unsafe_next_logs_in_and_goes_to_the_account(client, customer, next_url):
    assert client.get("/account/login/", {"next": next_url}).status_code == 200
    data = {"email": "ada@example.com", "password": PASSWORD, "next": next_url}
    response = client.post("/account/login/", data)
    assert response.status_code == 303 and response["Location"] == "/account/"
    assert client.session["_auth_user_id"] == str(customer.pk)


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_signup_with_an_unsafe_next_logs_in_and_goes_to_the_account(client, next_url):
    assert client.get("/account/signup/", {"next": next_url}).status_code == 200
    data = {"email": "new@example.com", "password": PASSWORD, "next": next_url}
    response = client.post("/account/signup/", data)
    assert response.status_code == 303 and response["Location"] == "/account/"
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("next_url", UNSAFE_NEXT)
def test_logout_with_a_next_logs_out_and_goes_home(client, customer, next_url):
    client.force_login(customer)
    response = client.post("/account/logout/", {"next": next_url})
    assert response.status_code == 303 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("referer", ["http://testserver//evil.example/x", "https://evil.example/"])
def test_a_post_that_needs_login_never_carries_an_unsafe_page_into_next(client, referer):
    response = client.post("/account/price-alerts/", {"state": "on"}, headers={"Referer": referer})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/"


def test_a_local_next_is_still_followed(client, customer):
    data = {"email": "ada@example.com", "password": PASSWORD, "next": "/catalog/?page=2"}
    response = client.post("/account/login/", data)
    assert response["Location"] == "/catalog/?page=2"

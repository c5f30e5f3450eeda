"""Every route, fed malformed input by GET and POST, with and without htmx: never a 5xx.

A seeded random mix of broken values (empty, negative, huge, not a number, markup, NUL, emoji)
for every form field name the shop uses, as an anonymous shopper and as a homepage editor.
"""

import random

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories import ShippingMethodFactory, make_editor, make_live_layout, make_product

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

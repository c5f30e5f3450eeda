"""config/server_errors.py: a database outage answers 503 with the shop's page, never a traceback,
and a request the database failed half-way leaves nothing behind."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.test import Client

from shop.models import Cart, CartLine, Order
from tests.factories import ShippingMethodFactory, cart_with, make_product

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def fail_every_query(error: Exception):
    """An execute wrapper: the database refuses every statement with `error`."""

    def wrapper(execute, sql, params, many, context):
        raise error

    return wrapper


def fail_statements_starting(prefix: str):
    """An execute wrapper: statements starting with `prefix` fail as if the server went away;
    the others (those before it in the same transaction too) run."""

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(prefix):
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


def assert_outage_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "The shop is back in a moment" in body
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error", [OperationalError("connection refused"), InterfaceError("connection already closed")]
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/"), ("get", "/catalog/"), ("get", "/products/thing/"), ("post", "/cart/add/")],
)
def test_while_the_database_is_down_pages_answer_503_with_the_shops_page(
    client, error, method, path
):
    make_product(name="Thing")
    with connection.execute_wrapper(fail_every_query(error)):
        response = getattr(client, method)(path, {"variant": 1, "quantity": 1})
    assert_outage_page(response)


@pytest.mark.django_db
def test_other_database_errors_are_still_the_500_page(client):
    with connection.execute_wrapper(fail_every_query(IntegrityError("a bug"))):
        response = client.get("/catalog/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_add_the_database_fails_half_way_leaves_the_cart_as_it_was(client):
    """The line is written, then the cart's `updated` is not: the whole add rolls back."""
    variant = make_product(name="Thing", stocks=[5]).variants.get()
    assert client.post("/cart/add/", {"variant": variant.pk, "quantity": 1}).status_code == 303
    with connection.execute_wrapper(fail_statements_starting('UPDATE "shop_cart"')):
        response = client.post("/cart/add/", {"variant": variant.pk, "quantity": 2})
    assert_outage_page(response)
    assert Cart.objects.count() == 1
    assert CartLine.objects.get().quantity == 1


@pytest.mark.django_db(transaction=True)
def test_a_checkout_the_database_fails_half_way_places_no_order_and_keeps_the_stock(client):
    """The order row is written, its lines are not: no order, no stock taken, the cart open."""
    ShippingMethodFactory(code="standard")
    variant = make_product(name="Thing", stocks=[5]).variants.get()
    cart = cart_with((variant, 2))
    session = client.session
    session["cart_token"] = str(cart.token)
    session.save()
    page = client.get("/checkout/").content.decode()
    form = {
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
        "address_line1": "1 Square",
        "address_line2": "",
        "city": "London",
        "postcode": "SW1Y 4JH",
        "country": "GB",
        "shipping": "standard",
        "payment_method": "card",
        "card_number": "4242 4242 4242 4242",
        "checkout_token": str(cart.checkout_token),
        "quote": page.split('name="quote" value="')[1].split('"')[0],
    }
    with connection.execute_wrapper(fail_statements_starting('INSERT INTO "shop_orderline"')):
        response = client.post("/checkout/", form)
    assert_outage_page(response)
    assert Order.objects.count() == 0
    variant.refresh_from_db()
    assert variant.stock == 5
    assert Cart.objects.open().filter(pk=cart.pk).exists()
    # Once the database is back, the same submission places the order.
    assert client.post("/checkout/", form).status_code == 303
    assert Order.objects.count() == 1


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


OUTAGE_SCRIPT = """
import json, django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
answers = {}
for method, path in [("get", "/products/thing/"), ("post", "/cart/add/"), ("head", "/catalog/"),
                     ("get", "/health/live"), ("get", "/health/ready"), ("get", "/healthz")]:
    response = getattr(client, method)(path, {"variant": "1", "quantity": "1"})
    answers[f"{method} {path}"] = {
        "status": response.status_code,
        "retry_after": response.get("Retry-After"),
        "body": response.content.decode(),
    }
print(json.dumps(answers))
"""


def test_a_real_process_whose_database_refuses_connections_answers_503(tmp_path):
    """Production settings in a fresh process, PostgreSQL at a port where nothing listens."""
    static_root = tmp_path / "static"
    static_root.mkdir()
    # As after collectstatic: pages link their static files through the manifest.
    files = [p.relative_to(ROOT / "static").as_posix() for p in (ROOT / "static").rglob("*.*")]
    manifest = {"paths": {name: name for name in files}, "version": "1.1"}
    (static_root / "staticfiles.json").write_text(json.dumps(manifest))
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "PYTEST_CURRENT_TEST"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="an-outage-test-secret-" + "x" * 40,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/storefront",
        DB_POOL_TIMEOUT="0.5",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-c", OUTAGE_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout)
    for request in ("get /products/thing/", "post /cart/add/"):
        assert answers[request]["status"] == 503, answers[request]
        assert answers[request]["retry_after"] == "30"
        assert "The shop is back in a moment" in answers[request]["body"]
        assert "Traceback" not in answers[request]["body"]
    assert answers["head /catalog/"]["status"] == 503 and answers["head /catalog/"]["body"] == ""
    assert answers["get /health/live"]["status"] == 200
    assert answers["get /healthz"]["status"] == 200
    ready = answers["get /health/ready"]
    assert ready["status"] == 503
    assert json.loads(ready["body"]) == {
        "status": "unavailable",
        "checks": {"database": "failed: OperationalError", "cache": "ok"},
    }

"""Real concurrency on PostgreSQL: threads and processes, each with its own connection.

These prove the promises of checkout under load: no overselling, no deadlock, one order and
one payment per checkout token, no lost cart updates.
"""

import json
import os
import random
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from shop.models import Cart, CartLine, Order, OrderLine, Payment
from shop.moment.resolve import resolve
from shop.services import cart as cart_service
from shop.services.payments import TestGateway
from tests import checkout_worker
from tests.factories import (
    CartFactory,
    CouponFactory,
    ShippingMethodFactory,
    cart_with,
    make_product,
)

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _shipping():
    ShippingMethodFactory(code="standard", price=Decimal("3.95"))


def run_in_process(cart_ids: list[int], threads: int) -> subprocess.Popen:
    """Start a separate Python process checking out `cart_ids` against the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_POOL_MAX": str(threads + 2),
        "SECRET_KEY": "checkout-worker",
        "HTTPS": "0",
    }
    env.pop("TEST_DATABASE_NAME", None)
    payload = json.dumps({"carts": cart_ids, "threads": threads})
    return subprocess.Popen(
        [sys.executable, "-m", "tests.checkout_worker", payload],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def collect(process: subprocess.Popen) -> dict:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def merge(*results: dict) -> dict:
    total = {"placed": 0, "refused": {}, "errors": []}
    for result in results:
        total["placed"] += result["placed"]
        total["errors"] += result["errors"]
        for kind, count in result["refused"].items():
            total["refused"][kind] = total["refused"].get(kind, 0) + count
    return total


def test_200_buyers_of_the_last_10_units_make_exactly_10_orders():
    variant = make_product(name="Hot Item", prices=("25.00",), stocks=[10]).variants.get()
    carts = [cart_with((variant, 1)).pk for _ in range(200)]
    connections.close_all()
    # Two other processes take 60 carts each while 80 run on threads here.
    processes = [run_in_process(carts[:60], 8), run_in_process(carts[60:120], 8)]
    here = checkout_worker.run(carts[120:], threads=12)
    result = merge(here, *(collect(p) for p in processes))

    assert result["errors"] == []
    assert result["placed"] == 10
    assert result["refused"] == {"stock": 190}  # the one clear answer: sold out
    variant.refresh_from_db()
    assert variant.stock == 0
    assert Order.objects.count() == 10
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == 10


def test_carts_sharing_low_stock_variants_never_oversell_or_deadlock():
    rng = random.Random(7)
    stocks = {f"Scarce {i}": 3 for i in range(6)}
    variants = [
        make_product(name=name, prices=("10.00",), stocks=[stock]).variants.get()
        for name, stock in stocks.items()
    ]
    carts = []
    for _ in range(60):
        chosen = rng.sample(variants, k=rng.randint(2, 4))  # lines in random order
        cart = CartFactory()
        for variant in chosen:
            CartLine.objects.create(
                cart=cart, variant=variant, quantity=rng.randint(1, 2), price_seen=variant.price
            )
        carts.append(cart.pk)
    connections.close_all()
    processes = [run_in_process(carts[:20], 6)]
    here = checkout_worker.run(carts[20:], threads=10)
    result = merge(here, *(collect(p) for p in processes))

    assert result["errors"] == []  # no deadlock, no constraint violation
    assert result["placed"] > 0
    assert set(result["refused"]) <= {"stock"}
    for variant in variants:
        variant.refresh_from_db()
        sold = sum(
            OrderLine.objects.filter(variant_id=variant.pk).values_list("quantity", flat=True)
        )
        assert variant.stock >= 0
        assert sold + variant.stock == 3, variant.product.name


def test_the_same_checkout_submitted_20_times_at_once_makes_one_order_and_one_payment(settings):
    settings.PAYMENT_TEST_TIMEOUT_SECONDS = 0
    variant = make_product(name="Kettle", prices=("40.00",), stocks=[5]).variants.get()
    shopper = Client()
    shopper.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    html = shopper.get("/checkout/").content.decode()
    import re

    token = re.search(r'name="checkout_token" value="([^"]+)"', html).group(1)
    quote = re.search(r'name="quote" value="([^"]+)"', html).group(1)
    form = {
        **{f: v for f, v in checkout_worker_address().items()},
        "card_number": "4242424242424242",
        "checkout_token": token,
        "quote": quote.replace("&quot;", '"'),
    }
    cookies = shopper.cookies
    calls_before = TestGateway.calls
    start = threading.Barrier(20)

    def submit(_):
        client = Client()
        client.cookies = cookies
        start.wait()
        try:
            return client.post("/checkout/", form).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(submit, range(20)))

    assert statuses == [303] * 20
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert TestGateway.calls - calls_before == 1
    assert Order.objects.get().status == Order.Status.PAID
    variant.refresh_from_db()
    assert variant.stock == 4


def checkout_worker_address() -> dict[str, str]:
    details = checkout_worker.buyer_details()
    return {
        "email": details.email,
        "full_name": details.full_name,
        "address_line1": details.address_line1,
        "address_line2": details.address_line2,
        "city": details.city,
        "postcode": details.postcode,
        "country": details.country,
        "shipping": details.shipping_code,
        "payment_method": details.payment_method,
    }


@pytest.mark.parametrize(("stock", "expected"), [(50, 20), (12, 12)])
def test_20_parallel_adds_to_one_cart_lose_no_update(stock, expected):
    variant = make_product(name="Socks", prices=("5.00",), stocks=[stock]).variants.get()
    cart = Cart.objects.create()
    start = threading.Barrier(20)

    def add(_):
        start.wait()
        try:
            cart_service.add_item(state=resolve(), cart=cart, variant_id=variant.pk, quantity=1)
            return "added"
        except cart_service.OutOfStock:
            return "out of stock"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(add, range(20)))

    line = CartLine.objects.get(cart=cart)
    assert line.quantity == expected
    assert outcomes.count("added") == expected
    assert outcomes.count("out of stock") == 20 - expected


def test_a_coupon_that_runs_out_in_a_race_gets_receipts_that_hold(settings):
    """30 shoppers race for a coupon with 5 uses: 5 discounted orders; each of the 25 refusal
    pages says the code is used up and shows the total without it, and confirming that page
    places the order at exactly that total (never a second refusal)."""
    settings.PAYMENT_TEST_TIMEOUT_SECONDS = 0
    variant = make_product(name="Race Mug", prices=("20.00",), stocks=[100]).variants.get()
    CouponFactory(code="RACE5", value=Decimal("10"), usage_limit=5)
    full_total, discounted_total = Decimal("23.95"), Decimal("21.95")
    connections.close_all()

    def shopper_ready(_) -> tuple[Client, dict[str, str]]:
        client = Client()
        try:
            client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
            client.post("/cart/coupon/", {"code": "race5"})
            html = client.get("/checkout/").content.decode()
            assert "Discount (RACE5)" in html
            return client, {**checkout_worker_address(), **submission(html)}
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        shoppers = list(pool.map(shopper_ready, range(30)))
    start = threading.Barrier(len(shoppers))

    def place(shopper) -> tuple[int, str]:
        client, form = shopper
        start.wait()
        try:
            response = client.post("/checkout/", form)
            return response.status_code, response.content.decode()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(shoppers)) as pool:
        answers = list(pool.map(place, shoppers))

    refused = [
        (shopper, html)
        for shopper, (status, html) in zip(shoppers, answers, strict=True)
        if status == 409
    ]
    assert sorted(status for status, _ in answers) == [303] * 5 + [409] * 25
    for _, html in refused:
        assert "The code RACE5 has been used up. Its discount has been taken off." in html
        assert f"The new total is <strong>£{full_total}</strong>" in html
        assert "Discount (RACE5)" not in html
    # Confirming the receipt places the order at the total it showed.
    for (client, form), html in refused:
        confirmed = client.post("/checkout/", {**form, **submission(html)})
        assert confirmed.status_code == 303, confirmed.content.decode()
    totals = sorted(Order.objects.values_list("total", flat=True))
    assert totals == [discounted_total] * 5 + [full_total] * 25
    assert Order.objects.filter(coupon_code="RACE5").count() == 5
    assert Order.objects.filter(status=Order.Status.PAID).count() == 30


def submission(html: str) -> dict[str, str]:
    """The checkout token, the signed quote and a good card, as the page's form would send."""
    token = re.search(r'name="checkout_token" value="([^"]+)"', html).group(1)
    quote = re.search(r'name="quote" value="([^"]+)"', html).group(1)
    return {
        "checkout_token": token,
        "quote": unescape(quote),
        "card_number": "4242424242424242",
    }

"""The cart over HTTP: add, change, remove and coupons, with and without JavaScript."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.proxies import parse_trusted_proxies
from shop.models import Cart, CartLine, Product
from tests.factories import CouponFactory, VariantFactory, make_product

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shirt():
    """A product with two options: M (£20, 5 in stock) and L (£22, 2 in stock)."""
    return make_product(name="Linen Shirt", prices=("20.00", "22.00"), stocks=[5, 2])


def variants(product: Product):
    return list(product.variants.order_by("position"))


def cart_lines(client) -> dict[str, int]:
    token = client.session.get("cart_token")
    lines = CartLine.objects.filter(cart__token=token).select_related("variant")
    return {line.variant.sku: line.quantity for line in lines}


def badge(html: str) -> str:
    match = re.search(r'id="cart-badge"[^>]*>Cart <span class="cart-badge__count">(\d+)', html)
    return match.group(1) if match else ""


def add(client, variant, quantity="1", headers=None, **extra):
    data = {"variant": variant.pk, "quantity": quantity, **extra}
    return client.post("/cart/add/", data, headers=headers or {})


# Adding.


def test_add_without_javascript_redirects_back_with_a_message(client, shirt):
    medium, _ = variants(shirt)
    response = add(client, medium, "2", next=shirt.get_absolute_url())
    assert response.status_code == 303
    assert response["Location"] == shirt.get_absolute_url()
    assert cart_lines(client) == {medium.sku: 2}
    page = client.get(response["Location"]).content.decode()
    assert "Linen Shirt (Option 1): 2 in your cart." in page
    assert badge(page) == "2"


def test_add_with_htmx_updates_the_badge_and_status_out_of_band(client, shirt):
    medium, _ = variants(shirt)
    response = add(client, medium, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert '<a class="cart-badge" id="cart-badge" href="/cart/" hx-swap-oob="true">' in html
    assert badge(html) == "1"
    assert 'id="status-messages" role="status"' in html and "1 in your cart" in html
    assert response["HX-Trigger"] == "cart-changed"
    assert "HX-Request" in response["Vary"]


def test_adding_more_than_the_stock_is_capped_with_a_reason(client, shirt):
    _, large = variants(shirt)  # 2 in stock
    response = add(client, large, "5", headers=HTMX)
    assert response.status_code == 200
    assert (
        "Only 2 of Linen Shirt (Option 2) left: your cart now has 2." in response.content.decode()
    )
    assert cart_lines(client) == {large.sku: 2}
    again = add(client, large, "1", headers=HTMX)
    assert again.status_code == 409
    assert "your cart already has all of them" in again.content.decode()
    assert cart_lines(client) == {large.sku: 2}


def test_a_double_click_sending_the_form_twice_adds_one_unit(client, shirt):
    medium, _ = variants(shirt)
    form = {"request_id": "a" * 32, "request_input": "add-request-product"}
    first = add(client, medium, **form)
    second = add(client, medium, **form)  # the same submission again
    assert first.status_code == second.status_code == 303
    assert cart_lines(client) == {medium.sku: 1}
    add(client, medium, request_id="b" * 32)  # a new submission: a deliberate second add
    assert cart_lines(client) == {medium.sku: 2}
    assert CartLine.objects.count() == 1


def test_a_new_shoppers_double_click_that_opened_two_carts_adds_once(client, shirt):
    """Without JavaScript a double click can send the form twice before the first answer set a
    session cookie: each request opens a cart. The second finds the first's line and follows
    it, so the shopper has one cart with one unit."""
    medium, large = variants(shirt)
    first_shopper, same_shopper = client, Client()
    form = {"request_id": "d" * 32, "request_input": "add-request-product"}
    add(first_shopper, medium, **form)
    response = add(same_shopper, medium, headers=HTMX, **form)
    assert response.status_code == 200
    assert "Linen Shirt (Option 1): 1 in your cart." in response.content.decode()
    assert badge(response.content.decode()) == "1"
    assert cart_lines(same_shopper) == {medium.sku: 1}
    assert CartLine.objects.count() == 1
    # The id of a form whose fresh id never arrived, sent for another option: a new add.
    add(same_shopper, large, **form)
    assert cart_lines(same_shopper) == {medium.sku: 1, large.sku: 1}


def test_the_product_page_form_carries_a_fresh_submission_id(client, shirt):
    ids = [
        re.search(r'name="request_id" id="add-request-product" value="([0-9a-f]{32})"', html)[1]
        for html in (client.get(shirt.get_absolute_url()).content.decode() for _ in range(2))
    ]
    assert ids[0] != ids[1]


def test_with_htmx_the_form_gets_a_new_submission_id_for_the_next_add(client, shirt):
    medium, _ = variants(shirt)
    response = add(
        client, medium, headers=HTMX, request_id="c" * 32, request_input="add-request-product"
    )
    html = response.content.decode()
    match = re.search(
        r'<input type="hidden" name="request_id" id="add-request-product" '
        r'value="([0-9a-f]{32})" hx-swap-oob="true">',
        html,
    )
    assert match and match[1] != "c" * 32
    add(client, medium, headers=HTMX, request_id=match[1], request_input="add-request-product")
    assert cart_lines(client) == {medium.sku: 2}


def test_a_tampered_submission_id_is_refused(client, shirt):
    medium, _ = variants(shirt)
    assert add(client, medium, request_id="<script>").status_code == 400
    assert add(client, medium, request_input='x" onload="alert(1)').status_code == 400
    assert cart_lines(client) == {}


@pytest.mark.parametrize(
    ("quantity", "status"),
    [("0", 400), ("-3", 400), ("abc", 400), ("", 400), ("100", 400), ("99999999999999999999", 400)],
)
def test_bad_quantities_are_refused_with_a_message_in_both_modes(client, shirt, quantity, status):
    medium, _ = variants(shirt)
    add(client, medium, "1")
    for headers in ({}, HTMX):
        response = add(client, medium, quantity, headers=headers)
        assert response.status_code == status
        assert "Choose a quantity from 1 to 99." in response.content.decode()
    assert cart_lines(client) == {medium.sku: 1}  # nothing already saved was lost


def test_without_javascript_a_refused_add_shows_the_product_page_with_the_reason(client, shirt):
    medium, _ = variants(shirt)
    response = add(client, medium, "abc")
    html = response.content.decode()
    assert response.status_code == 400
    assert "<h1>Linen Shirt</h1>" in html
    assert "Choose a quantity from 1 to 99." in html


@pytest.mark.parametrize("variant", ["999999", "abc", ""])
def test_unknown_or_missing_variants_are_refused(client, shirt, variant):
    response = client.post("/cart/add/", {"variant": variant, "quantity": "1"})
    assert response.status_code in {400, 404}
    assert response.status_code != 500
    assert cart_lines(client) == {}


def test_unpublished_and_sold_out_products_cannot_be_added(client, shirt):
    sold_out = VariantFactory(stock=0)
    response = add(client, sold_out, headers=HTMX)
    assert response.status_code == 409
    assert "is sold out" in response.content.decode()
    Product.objects.filter(pk=shirt.pk).update(status=Product.Status.DRAFT)
    response = add(client, variants(shirt)[0])
    assert response.status_code == 404
    assert "That product is not available." in response.content.decode()


def test_an_offsite_next_url_is_ignored(client, shirt):
    medium, _ = variants(shirt)
    response = add(client, medium, next="https://evil.example/")
    # The default instead: the product page, with the variant that was added chosen.
    assert response["Location"] == f"{shirt.get_absolute_url()}?variant={medium.pk}"


def test_post_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/cart/add/", {"variant": 1, "quantity": 1})
    assert response.status_code == 403


def test_add_is_post_only(client):
    assert client.get("/cart/add/").status_code == 405


# The cart page.


def test_cart_page_lists_lines_totals_and_price_changes(client, shirt):
    medium, large = variants(shirt)
    add(client, medium, "2")
    add(client, large, "1")
    medium.price = Decimal("18.00")
    medium.save()
    html = client.get("/cart/").content.decode()
    assert "Linen Shirt (Option 1)" in html and "Linen Shirt (Option 2)" in html
    assert "Price dropped since you added it (was <del>£20.00</del>)" in html
    assert "£36.00" in html  # 2 × £18.00
    assert "£58.00" in html  # subtotal 36 + 22
    assert badge(html) == "3"


def test_change_quantity_with_htmx_swaps_the_summary_and_badge(client, shirt):
    medium, _ = variants(shirt)
    add(client, medium, "1")
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "3"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="cart-summary"')
    assert badge(html) == "3"
    assert "Linen Shirt (Option 1): 3 in your cart." in html
    assert cart_lines(client) == {medium.sku: 3}


def test_change_quantity_without_javascript_redirects_to_the_cart(client, shirt):
    medium, _ = variants(shirt)
    add(client, medium, "1")
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "4"})
    assert response.status_code == 303 and response["Location"] == "/cart/"
    assert cart_lines(client) == {medium.sku: 4}


def test_quantity_zero_removes_the_line(client, shirt):
    medium, _ = variants(shirt)
    add(client, medium, "2")
    line = CartLine.objects.get()
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "0"}, headers=HTMX)
    assert "Removed Linen Shirt (Option 1) from your cart." in response.content.decode()
    assert cart_lines(client) == {}


@pytest.mark.parametrize("quantity", ["-1", "1000", "two", ""])
def test_bad_line_quantities_are_400_and_keep_the_line(client, shirt, quantity):
    medium, _ = variants(shirt)
    add(client, medium, "2")
    line = CartLine.objects.get()
    for headers in ({}, HTMX):
        response = client.post(f"/cart/lines/{line.pk}/", {"quantity": quantity}, headers=headers)
        assert response.status_code == 400
        assert "Choose a quantity from 1 to 99." in response.content.decode()
    assert cart_lines(client) == {medium.sku: 2}


def test_someone_elses_line_is_not_found(client, shirt):
    medium, _ = variants(shirt)
    other = Client()
    add(other, medium, "1")
    line = CartLine.objects.get()
    add(client, variants(shirt)[1], "1")
    response = client.post(f"/cart/lines/{line.pk}/", {"quantity": "0"})
    assert response.status_code == 404
    assert CartLine.objects.filter(pk=line.pk).exists()


def test_boosted_and_history_restore_requests_get_the_full_cart_page(client, shirt):
    add(client, variants(shirt)[0])
    for headers in (
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ):
        assert "<html" in client.get("/cart/", headers=headers).content.decode()
    fragment = client.get("/cart/", headers=HTMX).content.decode()
    assert fragment.lstrip().startswith('<section id="cart-summary"')


# Coupons.


def test_apply_a_coupon_in_any_case_and_remove_it(client, shirt):
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    add(client, variants(shirt)[0], "2")  # £40.00
    response = client.post("/cart/coupon/", {"code": " welcome10 "}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Coupon WELCOME10 applied: 10% off." in html
    assert "−£4.00" in html and "£36.00" in html
    response = client.post("/cart/coupon/remove/")
    assert response.status_code == 303
    assert "−£4.00" not in client.get("/cart/").content.decode()


@pytest.mark.parametrize(
    ("coupon", "reason"),
    [
        ({"valid_until": timezone.now() - timedelta(days=1)}, "has expired"),
        ({"valid_from": timezone.now() + timedelta(days=1)}, "is not valid yet"),
        ({"active": False}, "is no longer active"),
        ({"usage_limit": 1, "times_used": 1}, "has been used up"),
        ({"min_subtotal": Decimal("100")}, "needs a subtotal of at least £100.00"),
    ],
)
def test_ineligible_coupons_say_why(client, shirt, coupon, reason):
    CouponFactory(code="NOPE", **coupon)
    add(client, variants(shirt)[0])
    for headers in ({}, HTMX):
        response = client.post("/cart/coupon/", {"code": "nope"}, headers=headers)
        assert response.status_code == 400
        assert reason in response.content.decode()
    assert Cart.objects.get().coupon is None


def test_unknown_coupons_are_rate_limited_per_session(client, shirt, settings):
    settings.COUPON_ATTEMPTS = 3
    add(client, variants(shirt)[0])
    for attempt in range(3):
        response = client.post("/cart/coupon/", {"code": f"GUESS{attempt}"})
        assert response.status_code == 400
        assert f"There is no coupon GUESS{attempt}." in response.content.decode()
    CouponFactory(code="REAL")
    blocked = client.post("/cart/coupon/", {"code": "REAL"}, headers=HTMX)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode()
    assert int(blocked["Retry-After"]) > 0
    assert Cart.objects.get().coupon is None


BALANCER = "10.0.0.5"  # every shopper's REMOTE_ADDR behind the load balancer


@pytest.fixture
def behind_a_balancer(settings):
    settings.TRUSTED_PROXIES = parse_trusted_proxies("10.0.0.0/8")


def shopper(shirt, **headers) -> Client:
    """A new session with the shirt in its cart."""
    client = Client(**headers)
    add(client, variants(shirt)[0])
    return client


def guess_wrong(client, times: int) -> None:
    for attempt in range(times):
        assert client.post("/cart/coupon/", {"code": f"GUESS{attempt}"}).status_code == 400


def applies_welcome10(client) -> bool:
    response = client.post("/cart/coupon/", {"code": "WELCOME10"}, headers=HTMX)
    return response.status_code == 200 and "Coupon WELCOME10 applied" in response.content.decode()


@pytest.mark.parametrize("other_client", ["198.51.100.2", "198.51.100.1"])
def test_one_shoppers_wrong_codes_do_not_stop_another_behind_the_same_balancer(
    shirt, settings, behind_a_balancer, other_client
):
    """Two sessions reach the shop through one trusted proxy address, from other clients or
    from the same one (an office): five wrong codes in one never refuse WELCOME10 to the other."""
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    typist = shopper(shirt, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1")
    guess_wrong(typist, settings.COUPON_ATTEMPTS)
    assert typist.post("/cart/coupon/", {"code": "WELCOME10"}).status_code == 429
    other = shopper(shirt, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR=other_client)
    assert applies_welcome10(other)


def test_past_the_address_backstop_wrong_codes_wait_but_a_valid_code_applies(shirt, settings):
    settings.COUPON_ATTEMPTS_PER_IP = 4
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    for _ in range(2):  # two sessions from one address, each under its own limit
        guess_wrong(shopper(shirt, REMOTE_ADDR="203.0.113.9"), 2)
    blocked = shopper(shirt, REMOTE_ADDR="203.0.113.9").post("/cart/coupon/", {"code": "GUESS9"})
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.content.decode() and int(blocked["Retry-After"]) > 0
    assert applies_welcome10(shopper(shirt, REMOTE_ADDR="203.0.113.9"))
    assert (
        shopper(shirt, REMOTE_ADDR="203.0.113.10")
        .post("/cart/coupon/", {"code": "GUESS9"})
        .status_code
        == 400
    )  # another address has its own backstop


def test_a_forged_forwarded_for_from_an_untrusted_client_changes_nothing(
    shirt, settings, behind_a_balancer
):
    """Not a trusted proxy: its failures count against REMOTE_ADDR whatever the header says,
    so a new header (and a new session) for every guess does not dodge the backstop."""
    settings.COUPON_ATTEMPTS_PER_IP = 3
    for forged in ("198.51.100.1", "10.0.0.9, 198.51.100.2", "203.0.113.77"):
        guess_wrong(shopper(shirt, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=forged), 1)
    dodging = shopper(shirt, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert dodging.post("/cart/coupon/", {"code": "GUESS9"}).status_code == 429
    # The clients it named were never charged: behind the balancer they guess freely.
    honest = shopper(shirt, REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert honest.post("/cart/coupon/", {"code": "GUESS9"}).status_code == 400


def test_coupon_on_an_empty_cart_is_refused(client):
    CouponFactory(code="WELCOME10")
    response = client.post("/cart/coupon/", {"code": "WELCOME10"})
    assert response.status_code == 400
    assert "Add something to your cart" in response.content.decode()


# Query budgets.


def test_cart_page_query_budget_holds_at_two_sizes(
    client, django_assert_max_num_queries, warm_footer
):
    first = make_product(name="First")
    add(client, first.variants.get(), "1")
    with django_assert_max_num_queries(7):
        client.get("/cart/")
    for i in range(8):
        add(client, make_product(name=f"More {i}").variants.get(), "1")
    with django_assert_max_num_queries(7):
        response = client.get("/cart/")
    assert response.content.decode().count("cart-line-") == 9


def test_catalog_with_a_cart_adds_one_query_for_the_badge(
    client, shirt, django_assert_max_num_queries, warm_footer
):
    add(client, variants(shirt)[0])
    client.get("/catalog/")  # the page itself, cached for everyone (and the add's message)
    # Then the session and the badge: one query for the cart beside the session's.
    with django_assert_max_num_queries(2):
        html = client.get("/catalog/").content.decode()
    assert badge(html) == "1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_a_new_shoppers_first_add_costs_at_most_eight_queries(headers, warm_footer):
    """Opening the cart, the line, the badge and the new session (outside a test transaction,
    so these are the statements a real request sends): the cart opens inside the add."""
    variant = make_product(name="Mug").variants.get()
    client = Client()
    client.get(variant.product.get_absolute_url())  # a shopper arrives: a CSRF cookie, no session
    with CaptureQueriesContext(connection) as queries:
        response = add(client, variant, headers=headers, request_id="e" * 32)
    assert response.status_code in (200, 303)
    assert len(queries) <= 8, [q["sql"][:80] for q in queries]
    assert cart_lines(client) == {variant.sku: 1}
    assert Cart.objects.count() == 1


def test_a_refused_first_add_leaves_no_empty_cart(client):
    sold_out = make_product(name="Gone", stocks=[0]).variants.get()
    assert add(client, sold_out).status_code == 409
    assert not Cart.objects.exists() and "cart_token" not in client.session

"""Checkout over HTTP: review, place, pay, and what the shopper sees when something changed."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from shop.models import Cart, CartLine, Coupon, Order, Payment, Variant
from shop.services.payments import TestGateway
from tests.factories import CouponFactory, ShippingMethodFactory, make_product

pytestmark = pytest.mark.django_db

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
TIMEOUT_CARD = "4000000000000119"
ADDRESS = {
    "email": "ada@example.com",
    "full_name": "Ada Lovelace",
    "address_line1": "12 St James's Square",
    "address_line2": "",
    "city": "London",
    "postcode": "sw1y 4jh",
    "country": "GB",
    "shipping": "standard",
    "payment_method": "card",
}


@pytest.fixture(autouse=True)
def _shipping(settings):
    settings.PAYMENT_TEST_TIMEOUT_SECONDS = 0
    ShippingMethodFactory(code="standard", name="Standard delivery", price=Decimal("3.95"))
    ShippingMethodFactory(code="express", name="Express delivery", price=Decimal("8.95"))


@pytest.fixture
def mug():
    return make_product(name="Stoneware Mug", prices=("12.50",), stocks=[5]).variants.get()


def add(client, variant: Variant, quantity: int = 1):
    response = client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity})
    assert response.status_code == 303, response.content.decode()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name} in the page"
    return unescape(match.group(1))


def review(client) -> dict[str, str]:
    """Open the checkout page and return what its form would submit (with a good card)."""
    response = client.get("/checkout/")
    assert response.status_code == 200
    html = response.content.decode()
    return {
        **ADDRESS,
        "card_number": GOOD_CARD,
        "checkout_token": hidden(html, "checkout_token"),
        "quote": hidden(html, "quote"),
    }


def place(client, form: dict, **headers):
    return client.post("/checkout/", form, headers=headers)


def test_review_shows_lines_delivery_options_totals_and_vat(client, mug):
    add(client, mug, 2)
    html = client.get("/checkout/").content.decode()
    assert "Stoneware Mug" in html and "£12.50 each" in html
    assert "Standard delivery" in html and "order total £28.95" in html
    assert "Express delivery" in html and "order total £33.95" in html
    assert re.search(r'id="order-total">£28.95<', html)
    assert "£4.83" in html  # the VAT inside £28.95 at 20%
    assert 'name="card_number"' in html


def test_a_plain_checkout_places_a_paid_order_and_emails_a_confirmation(
    client, mug, django_capture_on_commit_callbacks
):
    add(client, mug, 2)
    form = review(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = place(client, form)
    order = Order.objects.get()
    assert response.status_code == 303
    assert response["Location"] == order.get_absolute_url()
    assert order.status == Order.Status.PAID
    assert (order.subtotal, order.shipping_total, order.total) == (
        Decimal("25.00"),
        Decimal("3.95"),
        Decimal("28.95"),
    )
    assert order.postcode == "SW1Y 4JH"
    [line] = order.lines.all()
    assert (line.sku, line.product_name, line.unit_price, line.quantity, line.line_total) == (
        mug.sku,
        "Stoneware Mug",
        Decimal("12.50"),
        2,
        Decimal("25.00"),
    )
    mug.refresh_from_db()
    assert mug.stock == 3
    assert Cart.objects.get().status == Cart.Status.ORDERED
    [payment] = order.payments.all()
    assert (payment.status, payment.card_last4) == (Payment.Status.AUTHORISED, "4242")
    [email] = mail.outbox
    assert email.to == ["ada@example.com"] and order.number in email.subject
    assert "2 × Stoneware Mug" in email.body and "Total: £28.95" in email.body

    page = client.get(response["Location"]).content.decode()
    assert f"Order {order.number}" in page and "Paid" in page
    assert "Thank you! Your order" in page
    # The cart is empty now (the ordered cart is not the shopper's cart any more).
    assert 'class="cart-badge__count">0<' in page


def test_the_order_page_is_only_for_its_owner(client, mug):
    add(client, mug)
    response = place(client, review(client))
    assert client.get(response["Location"]).status_code == 200
    stranger = Client()
    assert stranger.get(response["Location"]).status_code == 404
    assert client.get(f"/orders/{'0' * 8}-0000-0000-0000-{'0' * 12}/").status_code == 404


def test_submitting_the_same_checkout_twice_makes_one_order(client, mug):
    add(client, mug)
    form = review(client)
    first = place(client, form)
    second = place(client, form)
    assert Order.objects.count() == 1
    assert Payment.objects.count() == 1
    assert first["Location"] == second["Location"]
    mug.refresh_from_db()
    assert mug.stock == 4


def test_a_boosted_submit_gets_a_redirect_to_the_order(client, mug):
    add(client, mug)
    response = place(client, review(client), HX_Request="true", HX_Boosted="true")
    assert response.status_code == 303
    assert response["Location"] == Order.objects.get().get_absolute_url()


def test_a_declined_card_fails_the_order_restores_everything_and_keeps_the_cart(client, mug):
    coupon = CouponFactory(code="TENOFF", value=Decimal("10"))
    add(client, mug, 2)
    client.post("/cart/coupon/", {"code": "tenoff"})
    form = review(client)
    response = place(client, {**form, "card_number": DECLINED_CARD})
    html = response.content.decode()
    assert response.status_code == 402
    assert "Your card was declined." in html and "You have not been charged" in html
    order = Order.objects.get()
    assert order.status == Order.Status.FAILED
    mug.refresh_from_db()
    coupon.refresh_from_db()
    assert mug.stock == 5 and coupon.times_used == 0
    cart = Cart.objects.get()
    assert cart.status == Cart.Status.OPEN and cart.coupon == coupon
    assert list(cart.lines.values_list("quantity", flat=True)) == [2]
    # The page offers a fresh checkout; paying with a good card now works.
    retry = {
        **form,
        "checkout_token": hidden(html, "checkout_token"),
        "quote": hidden(html, "quote"),
    }
    assert retry["checkout_token"] != form["checkout_token"]
    assert place(client, retry).status_code == 303
    paid = Order.objects.get(status=Order.Status.PAID)
    assert paid.discount_total == Decimal("2.50")
    mug.refresh_from_db()
    coupon.refresh_from_db()
    assert mug.stock == 3 and coupon.times_used == 1


def test_a_payment_timeout_fails_the_order_without_charging(client, mug):
    add(client, mug)
    response = place(client, {**review(client), "card_number": TIMEOUT_CARD})
    assert response.status_code == 402
    assert "did not answer in time" in response.content.decode()
    assert Order.objects.get().status == Order.Status.FAILED
    assert Payment.objects.get().status == Payment.Status.ERROR
    mug.refresh_from_db()
    assert mug.stock == 5


def test_a_price_rise_between_review_and_submit_is_shown_and_nothing_is_taken(client, mug):
    add(client, mug, 2)
    form = review(client)
    Variant.objects.filter(pk=mug.pk).update(price=Decimal("15.00"))
    response = place(client, form)
    html = response.content.decode()
    assert response.status_code == 409
    assert "The price of Stoneware Mug (Option 1) went up from £12.50 to £15.00." in html
    assert "The new total is <strong>£33.95</strong>" in html
    assert not Order.objects.exists()
    mug.refresh_from_db()
    assert mug.stock == 5
    # Confirming the new total places the order at the new price.
    confirmed = {**form, "quote": hidden(html, "quote")}
    assert place(client, confirmed).status_code == 303
    assert Order.objects.get().total == Decimal("33.95")


def test_reduced_stock_blocks_the_order_until_the_cart_changes(client, mug):
    add(client, mug, 3)
    form = review(client)
    Variant.objects.filter(pk=mug.pk).update(stock=1)
    response = place(client, form)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Stoneware Mug (Option 1) has only 1 left (you asked for 3)." in html
    assert "Update your cart" in html and "Place order" not in html
    assert not Order.objects.exists()
    mug.refresh_from_db()
    assert mug.stock == 1


def test_an_expired_coupon_is_taken_off_and_the_shopper_confirms_the_new_total(client, mug):
    coupon = CouponFactory(code="SPRING", value=Decimal("20"))
    add(client, mug, 2)
    client.post("/cart/coupon/", {"code": "SPRING"})
    form = review(client)
    Coupon.objects.filter(pk=coupon.pk).update(valid_until=timezone.now() - timedelta(seconds=1))
    response = place(client, form)
    html = response.content.decode()
    assert response.status_code == 409
    assert "The code SPRING has expired. Its discount has been taken off." in html
    assert not Order.objects.exists()
    assert place(client, {**form, "quote": hidden(html, "quote")}).status_code == 303
    order = Order.objects.get()
    assert (order.discount_total, order.coupon_code, order.total) == (
        Decimal("0.00"),
        "",
        Decimal("28.95"),
    )
    coupon.refresh_from_db()
    assert coupon.times_used == 0


def test_a_tampered_quote_is_refused(client, mug):
    add(client, mug)
    form = review(client)
    response = place(client, {**form, "quote": form["quote"][:-3] + "abc"})
    assert response.status_code == 400
    assert "expired or was altered" in response.content.decode()
    assert not Order.objects.exists()


def test_a_stale_token_from_another_tab_is_refused(client, mug):
    add(client, mug)
    form = review(client)
    Cart.objects.update(checkout_token="00000000-0000-0000-0000-000000000001")
    response = place(client, form)
    assert response.status_code == 409
    assert "out of date" in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter a valid email address."),
        ("card_number", "1234 5678 9012 3456", "Enter a valid card number."),
        ("full_name", "", "This field is required."),
        ("shipping", "teleport", "Select a valid choice."),
        ("checkout_token", "nope", "Enter a valid UUID."),
    ],
)
def test_invalid_details_are_400_with_the_reason_and_no_card_echo(
    client, mug, field, value, message
):
    add(client, mug)
    response = place(client, {**review(client), field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html or field == "checkout_token"
    assert not re.search(r'name="card_number"[^>]*value=', html)  # never echoed back
    assert not Order.objects.exists()


def test_checkout_with_an_empty_cart_goes_to_the_cart(client):
    response = client.get("/checkout/")
    assert response.status_code == 302 and response["Location"] == "/cart/"


def test_changing_delivery_with_htmx_reprices_the_summary(client, mug):
    add(client, mug, 2)
    response = client.get("/checkout/?shipping=express", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="checkout-summary"')
    assert re.search(r'id="order-total">£33.95<', html)


def test_checkout_page_query_budget_holds_at_two_sizes(
    client, django_assert_max_num_queries, warm_footer
):
    add(client, make_product(name="One").variants.get())
    with django_assert_max_num_queries(8):
        client.get("/checkout/")
    for i in range(6):
        add(client, make_product(name=f"More {i}").variants.get())
    with django_assert_max_num_queries(8):
        response = client.get("/checkout/")
    assert response.content.decode().count("each</span>") == 7


def test_one_authorisation_per_order(client, mug):
    add(client, mug)
    before = TestGateway.calls
    form = review(client)
    for _ in range(3):
        place(client, form)
    assert TestGateway.calls - before == 1


def test_cart_lines_are_kept_after_the_order_for_the_record(client, mug):
    add(client, mug, 2)
    place(client, review(client))
    assert CartLine.objects.count() == 1
    assert client.get("/cart/").content.decode().count("cart-line-") == 0


def test_a_once_per_customer_coupon_is_refused_the_second_time_for_that_email(client, mug):
    CouponFactory(code="ONCE", value=Decimal("10"), per_customer_limit=1)
    add(client, mug)
    client.post("/cart/coupon/", {"code": "ONCE"})
    assert place(client, review(client)).status_code == 303

    add(client, mug)
    client.post("/cart/coupon/", {"code": "ONCE"})  # the e-mail is not known yet: it applies
    response = place(client, review(client))
    html = response.content.decode()
    assert response.status_code == 409
    assert "You have already used the code ONCE. Its discount has been taken off." in html
    assert Order.objects.count() == 1


def test_buying_the_last_units_refreshes_the_cached_homepage(
    client, mug, django_capture_on_commit_callbacks
):
    from tests.factories import make_live_layout

    make_live_layout({"kind": "featured_products", "heading": "Picks", "products": [mug.product]})
    assert "Sold out" not in client.get("/").content.decode()  # now cached
    add(client, mug, 5)
    with django_capture_on_commit_callbacks(execute=True):
        assert place(client, review(client)).status_code == 303
    assert "Sold out" in Client().get("/").content.decode()

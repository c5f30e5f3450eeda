"""Orders are immutable records: the models refuse changes and PostgreSQL refuses them too."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from shop.domain import pricing
from shop.models import Coupon, ImmutableRecord, Order, OrderLine, Product, Variant
from shop.moment.resolve import resolve
from shop.queries import cart as cart_queries
from shop.services import checkout, orders, payments
from tests.factories import CouponFactory, ShippingMethodFactory, cart_with, make_product

pytestmark = pytest.mark.django_db

DETAILS = checkout.CheckoutDetails(
    email="grace@example.com",
    full_name="Grace Hopper",
    address_line1="1 Harbour Street",
    address_line2="",
    city="Portsmouth",
    postcode="PO1 1AA",
    country="GB",
    shipping_code="standard",
    payment_method="card",
)


@pytest.fixture
def order() -> Order:
    """A placed order for 2 × £12.50 and 1 × £30.00 with a 10% coupon and £3.95 delivery."""
    ShippingMethodFactory(price=Decimal("3.95"))
    mug = make_product(name="Mug", prices=("12.50",), stocks=[10]).variants.get()
    lamp = make_product(name="Lamp", prices=("30.00",), stocks=[4]).variants.get()
    coupon = CouponFactory(code="TEN", value=Decimal("10"))
    cart = cart_with((mug, 2), (lamp, 1), coupon=coupon)
    quote = cart_queries.review(state=resolve(), cart=cart)
    placed, created = checkout.place_order(
        cart_id=cart.pk,
        checkout_token=cart.checkout_token,
        confirmed=pricing.read_signed(quote.signed()),
        details=DETAILS,
    )
    assert created
    return placed


def test_the_order_is_a_complete_snapshot(order):
    assert (order.subtotal, order.discount_total, order.shipping_total, order.total) == (
        Decimal("55.00"),
        Decimal("5.50"),
        Decimal("3.95"),
        Decimal("53.45"),
    )
    assert order.tax_total == Decimal("8.91")  # VAT inside £53.45 at 20%
    assert order.coupon_code == "TEN" and order.status == Order.Status.PLACED
    lines = {line.sku: line for line in order.lines.all()}
    assert sum(line.discount for line in lines.values()) == order.discount_total
    assert [(line.product_name, line.unit_price, line.quantity) for line in lines.values()] == [
        ("Mug", Decimal("12.50"), 2),
        ("Lamp", Decimal("30.00"), 1),
    ]


def test_renaming_repricing_or_deleting_products_leaves_orders_as_they_were(order):
    before = list(order.lines.values())
    mug = Product.objects.get(name="Mug")
    mug.name = "Renamed Mug"
    mug.save()
    Variant.objects.filter(product=mug).update(price=Decimal("99.00"), sku="CHANGED")
    Product.objects.get(name="Lamp").delete()
    order.refresh_from_db()
    assert list(order.lines.values()) == before
    assert order.total == Decimal("53.45")


def test_the_models_refuse_to_change_or_delete_order_history(order):
    line = order.lines.first()
    line.unit_price = Decimal("0.01")
    with pytest.raises(ImmutableRecord):
        line.save()
    with pytest.raises(ImmutableRecord):
        OrderLine.objects.filter(order=order).update(quantity=1)
    with pytest.raises(ImmutableRecord):
        OrderLine.objects.filter(order=order).delete()
    with pytest.raises(ImmutableRecord):
        line.delete()
    order.total = Decimal("1.00")
    with pytest.raises(ImmutableRecord):
        order.save()
    with pytest.raises(ImmutableRecord):
        order.delete()
    with pytest.raises(ImmutableRecord):
        Order.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE shop_orderline SET unit_price = 0.01",
        "UPDATE shop_orderline SET quantity = 2 * quantity, line_total = 2 * line_total",
        "DELETE FROM shop_orderline",
        "UPDATE shop_order SET total = 0, subtotal = 0, discount_total = 0, shipping_total = 0",
        "UPDATE shop_order SET email = 'someone@else.example'",
        "UPDATE shop_order SET coupon_code = 'FREE'",
        "DELETE FROM shop_order",
        "UPDATE shop_order SET status = 'fulfilled'",  # skipping "paid"
    ],
)
def test_the_database_refuses_to_rewrite_order_history(order, sql):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    order.refresh_from_db()
    assert order.total == Decimal("53.45") and order.lines.count() == 2


def test_the_database_lets_the_status_move_along_allowed_transitions(order):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE shop_order SET status = 'paid' WHERE id = %s", [order.pk])
    order.refresh_from_db()
    assert order.status == Order.Status.PAID


def test_cancelling_returns_stock_and_the_coupon_use(order):
    mug = Variant.objects.get(product__name="Mug")
    coupon = Coupon.objects.get(code="TEN")
    assert (mug.stock, coupon.times_used) == (8, 1)
    cancelled = orders.cancel(order=order)
    assert cancelled.status == Order.Status.CANCELLED and cancelled.closed_at
    mug.refresh_from_db()
    coupon.refresh_from_db()
    assert (mug.stock, coupon.times_used) == (10, 0)
    with pytest.raises(orders.TransitionRefused):
        orders.cancel(order=cancelled)  # stock is never returned twice
    mug.refresh_from_db()
    assert mug.stock == 10


def test_a_fulfilled_order_cannot_be_cancelled(order):
    paid = orders.mark_paid(
        order=order,
        payment=order.payments.create(gateway="test", amount=order.total, currency="GBP"),
        reference="ref",
    )
    fulfilled = orders.fulfil(order=paid)
    assert fulfilled.status == Order.Status.FULFILLED
    with pytest.raises(orders.TransitionRefused, match="cannot become cancelled"):
        orders.cancel(order=fulfilled)


def test_an_unpublished_product_cannot_be_checked_out(order):
    cart = cart_with((make_product(name="Hidden").variants.get(), 1))
    quote = cart_queries.review(state=resolve(), cart=cart)
    Product.objects.filter(name="Hidden").update(status=Product.Status.DRAFT)
    with pytest.raises(checkout.CheckoutChanged) as changed:
        checkout.place_order(
            cart_id=cart.pk,
            checkout_token=cart.checkout_token,
            confirmed=pricing.read_signed(quote.signed()),
            details=DETAILS,
        )
    assert changed.value.blocking
    assert "Hidden (Option 1) is now sold out." in [c.message for c in changed.value.changes]


def test_the_admin_shows_orders_read_only(order, admin_client):
    response = admin_client.get(f"/admin/shop/order/{order.pk}/change/")
    assert response.status_code == 200
    assert 'name="total"' not in response.content.decode()
    listing = admin_client.get("/admin/shop/order/")
    assert order.number in listing.content.decode()
    response = admin_client.post(
        "/admin/shop/order/",
        {"action": "cancel_orders", "_selected_action": [order.pk]},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_orders_abandoned_before_payment_are_released(order):
    from datetime import timedelta

    from django.core.management import call_command

    from shop.models import Cart

    call_command("release_unpaid_orders", "--minutes", "30", verbosity=0)
    order.refresh_from_db()
    assert order.status == Order.Status.PLACED  # too recent: its payment may be under way

    [released] = payments.settle(older_than=timedelta(0))
    assert released.pk == order.pk and released.status == Order.Status.FAILED
    assert Variant.objects.get(product__name="Mug").stock == 10
    assert Coupon.objects.get(code="TEN").times_used == 0
    assert Cart.objects.get().status == Cart.Status.OPEN

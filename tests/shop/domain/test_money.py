"""Money rules, including property tests: discounts never exceed the subtotal, shares add up."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from shop.domain.money import allocate, percent_of, to_money, vat_included
from shop.models import Coupon

pennies = st.integers(min_value=0, max_value=10**9).map(lambda p: Decimal(p) / 100)
positive = st.integers(min_value=1, max_value=10**7).map(lambda p: Decimal(p) / 100)
percent = st.integers(min_value=1, max_value=10000).map(lambda p: Decimal(p) / 100)


def coupon(kind: str, value: Decimal, **extra) -> Coupon:
    return Coupon(code="T", kind=kind, value=value, **extra)


@given(subtotal=pennies, value=percent)
def test_a_percentage_discount_is_in_pennies_and_never_exceeds_the_subtotal(subtotal, value):
    discount = coupon("percent", value).discount_for(subtotal)
    assert Decimal(0) <= discount <= subtotal
    assert discount == discount.quantize(Decimal("0.01"))
    # Within half a penny of the exact percentage (one rounding, half up).
    assert abs(discount - subtotal * value / 100) <= Decimal("0.005")


@given(subtotal=pennies, value=positive)
def test_a_fixed_discount_is_the_amount_or_the_whole_subtotal(subtotal, value):
    discount = coupon("fixed", value).discount_for(subtotal)
    assert discount == min(value, subtotal)


@given(total=pennies, weights=st.lists(pennies, min_size=1, max_size=30))
def test_allocation_sums_exactly_and_is_proportional_within_a_penny(total, weights):
    shares = allocate(total, weights)
    weight_sum = sum(weights)
    if weight_sum == 0:
        assert all(share == 0 for share in shares)
        return
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert share >= 0
        assert abs(share - total * weight / weight_sum) < Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.0049", "0.00"), ("2.675", "2.68"), ("10", "10.00")],
)
def test_rounding_is_half_up_to_the_penny(amount, expected):
    assert to_money(Decimal(amount)) == Decimal(expected)


def test_examples_printed_on_receipts():
    assert percent_of(Decimal("19.99"), Decimal("15")) == Decimal("3.00")  # 2.9985
    assert coupon("percent", Decimal("100")).discount_for(Decimal("12.34")) == Decimal("12.34")
    assert coupon("fixed", Decimal("50")).discount_for(Decimal("12.34")) == Decimal("12.34")
    assert vat_included(Decimal("120.00"), Decimal("20")) == Decimal("20.00")
    assert allocate(Decimal("0.10"), [Decimal(1)] * 3) == [
        Decimal("0.04"),
        Decimal("0.03"),
        Decimal("0.03"),
    ]


def test_eligibility_says_why_in_order_of_what_matters():
    now = timezone.now()
    assert coupon("percent", Decimal(5)).eligibility(subtotal=Decimal(1), now=now).ok
    expired = coupon("percent", Decimal(5), valid_until=now - timedelta(seconds=1))
    assert expired.eligibility(subtotal=Decimal(1), now=now).code == "expired"
    limited = coupon("percent", Decimal(5), per_customer_limit=1)
    assert limited.eligibility(subtotal=Decimal(1), now=now, customer_uses=1).code == (
        "customer-limit"
    )
    assert coupon("fixed", Decimal(5)).label == "£5.00 off"
    assert coupon("percent", Decimal("12.50")).label == "12.5% off"

"""Availability: the state code and every phrase the shop uses about stock."""

import pytest

from shop.domain.availability import Availability


@pytest.mark.parametrize(
    ("quantity", "code", "message"),
    [
        (0, "sold-out", "Sold out"),
        (3, "low-stock", "Only 3 left"),
        (5, "low-stock", "Only 5 left"),
        (6, "in-stock", "In stock"),
    ],
)
def test_availability_gives_a_reason_to_show(quantity, code, message):
    availability = Availability(quantity=quantity)
    assert (availability.code, availability.message) == (code, message)
    assert availability.available is (quantity > 0)


def test_the_cart_line_shortfall_says_what_to_do():
    assert Availability(quantity=12).shortfall == "Only 12 left: lower the quantity to check out"
    assert Availability(quantity=0).shortfall == "Sold out: remove it to check out"


@pytest.mark.parametrize(
    ("quantity", "in_cart", "message"),
    [
        (0, 0, "Mug is sold out."),
        (1, 1, "Only 1 of Mug left, and your cart already has it."),
        (3, 3, "Only 3 of Mug left, and your cart already has all of them."),
        (3, 1, "Only 3 of Mug left."),
    ],
)
def test_a_refusal_names_the_product_and_what_the_cart_holds(quantity, in_cart, message):
    assert Availability(quantity=quantity).refusal(name="Mug", in_cart=in_cart) == message


def test_capped_and_merged_changes_are_phrased_here():
    assert Availability(quantity=2).capped(name="Mug", in_cart=2) == (
        "Only 2 of Mug left: your cart now has 2."
    )
    assert Availability(quantity=4).merged(name="Mug") == "Mug: only 4 left, so your cart has 4"
    assert Availability(quantity=0).merged(name="Mug") == (
        "Mug is sold out, so it is not in your cart"
    )


def test_checkout_says_what_is_left_however_much_and_what_ran_short():
    assert Availability(quantity=12).left == "Only 12 left"
    assert Availability(quantity=0).left == "Sold out"
    assert (
        Availability(quantity=1).since_review(name="Mug", wanted=3)
        == "Mug has only 1 left (you asked for 3)."
    )
    assert Availability(quantity=0).since_review(name="Mug", wanted=3) == "Mug is now sold out."

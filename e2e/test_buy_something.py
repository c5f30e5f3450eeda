"""A shopper buys: add to cart, change the quantity, apply a coupon, check out, see the order.

Every journey runs with JavaScript on (htmx swaps fragments in place) and off (plain forms and
full pages). The outcome in the database must be the same.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from shop.models import CartLine, Order, Variant

pytestmark = pytest.mark.e2e

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def a_variant_in_stock(minimum: int = 5) -> Variant:
    """A buyable option of a published product with plenty of stock, from the demo catalog."""
    return (
        Variant.objects.filter(stock__gte=minimum, product__status="published")
        .select_related("product")
        .order_by("pk")
        .first()
    )


def cart_badge(page: Page):
    return page.get_by_role("link", name=re.compile(r"^Cart \d+ items$"))


def choose(page: Page, variant: Variant, js: bool) -> None:
    """Pick the variant's value of each option that offers a choice (size, colour); the page
    then shows its price (htmx swaps it in; without JavaScript, "Show price and stock")."""
    for name, value in variant.options.items():
        group = page.get_by_role("group", name=re.compile(rf"^{name}\b", re.IGNORECASE))
        if group.count():
            group.get_by_role("radio", name=re.compile(rf"^{re.escape(value)}\b")).check()
            expect(group.get_by_role("radio", checked=True)).to_have_value(value)
    if not js:
        page.get_by_role("button", name="Show price and stock").click()
    expect(page.locator("#product-price")).to_have_text(money(variant.price))
    expect(page.get_by_role("definition").filter(has_text=variant.sku)).to_have_count(1)


def add_to_cart(page: Page, shop: str, variant: Variant, js: bool) -> None:
    page.goto(f"{shop}{variant.product.get_absolute_url()}")
    choose(page, variant, js)
    mark_window(page, js)
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 in your cart.")
    expect(cart_badge(page)).to_have_accessible_name("Cart 1 items")
    # Either way the shopper stays on the product page; with htmx it never reloaded.
    expect(page.get_by_role("heading", level=1)).to_have_text(variant.product.name)
    assert_not_reloaded(page, js)


def mark_window(page: Page, js: bool) -> None:
    """With JavaScript, mark the window: the mark survives htmx swaps and dies with a load."""
    if js:
        page.evaluate("window.__e2eMarker = 1")


def assert_not_reloaded(page: Page, js: bool) -> None:
    if js:
        assert page.evaluate("window.__e2eMarker === 1"), "the page reloaded"


def fill_checkout(page: Page, card: str) -> None:
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address", exact=True).fill("12 St James's Square")
    page.get_by_label("Town or city").fill("London")
    page.get_by_label("Postcode").fill("SW1Y 4JH")
    page.get_by_label("Card number").fill(card)


def test_add_change_quantity_apply_coupon_and_pay(shop: str, page: Page, js: bool):
    variant = a_variant_in_stock()
    stock_before = variant.stock
    add_to_cart(page, shop, variant, js)

    cart_badge(page).click()
    expect(page).to_have_url(f"{shop}/cart/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    quantity = page.get_by_role("spinbutton", name=re.compile(r"^Quantity of "))
    mark_window(page, js)
    quantity.fill("3")
    if js:
        quantity.dispatch_event("change")  # htmx updates the cart as soon as the field changes
    else:
        page.get_by_role("button", name=re.compile(r"^Update ")).click()
    subtotal = variant.price * 3
    expect(page.get_by_role("status")).to_contain_text("3 in your cart.")
    expect(cart_badge(page)).to_have_accessible_name("Cart 3 items")
    expect(page.locator("#cart-summary")).to_contain_text(money(subtotal))

    page.get_by_label("Coupon code").fill("welcome10")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("Coupon WELCOME10 applied: 10% off.")
    discount = (subtotal / 10).quantize(Decimal("0.01"))
    expect(page.locator("#cart-summary")).to_contain_text(f"−{money(discount)}")
    assert_not_reloaded(page, js)

    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    total = subtotal - discount + Decimal("3.95")
    expect(page.locator("#order-total")).to_have_text(money(total))
    fill_checkout(page, GOOD_CARD)
    page.get_by_role("button", name="Place order and pay").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order SF-\w{8}$"))
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}/$"))
    expect(page.get_by_text("Status: Paid")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Thank you! Your order")
    expect(page.get_by_role("article")).to_contain_text(money(total))
    expect(cart_badge(page)).to_have_accessible_name("Cart 0 items")

    order = Order.objects.get()
    assert (order.status, order.total, order.coupon_code) == ("paid", total, "WELCOME10")
    variant.refresh_from_db()
    assert variant.stock == stock_before - 3


def test_a_declined_card_keeps_the_cart_and_another_card_works(shop: str, page: Page, js: bool):
    variant = a_variant_in_stock()
    add_to_cart(page, shop, variant, js)
    page.goto(f"{shop}/checkout/")
    fill_checkout(page, DECLINED_CARD)
    page.get_by_role("button", name="Place order and pay").click()

    expect(page.get_by_role("status")).to_contain_text("Your card was declined.")
    expect(page.get_by_role("status")).to_contain_text("You have not been charged")
    expect(page).to_have_url(f"{shop}/checkout/")
    expect(page.get_by_label("Card number")).to_have_value("")  # never sent back
    expect(page.get_by_label("Email")).to_have_value("ada@example.com")
    expect(cart_badge(page)).to_have_accessible_name("Cart 1 items")

    page.get_by_label("Card number").fill(GOOD_CARD)
    page.get_by_role("button", name="Place order and pay").click()
    expect(page.get_by_text("Status: Paid")).to_be_visible()
    assert sorted(Order.objects.values_list("status", flat=True)) == ["failed", "paid"]


def test_double_clicking_place_order_makes_one_order(shop: str, page: Page, js: bool):
    variant = a_variant_in_stock()
    stock_before = variant.stock
    add_to_cart(page, shop, variant, js)
    page.goto(f"{shop}/checkout/")
    fill_checkout(page, GOOD_CARD)
    page.get_by_role("button", name="Place order and pay").dblclick()

    expect(page.get_by_text("Status: Paid")).to_be_visible()
    assert Order.objects.count() == 1
    variant.refresh_from_db()
    assert variant.stock == stock_before - 1


def test_double_clicking_add_to_cart_adds_one_unit(shop: str, page: Page, js: bool):
    variant = a_variant_in_stock()
    page.goto(f"{shop}{variant.product.get_absolute_url()}")
    choose(page, variant, js)
    page.get_by_role("button", name="Add to cart", exact=True).dblclick()
    expect(page.get_by_role("status")).to_contain_text("1 in your cart.")
    page.goto(f"{shop}/cart/")
    expect(page.get_by_role("spinbutton", name=re.compile(r"^Quantity of "))).to_have_value("1")
    assert list(CartLine.objects.values_list("quantity", flat=True)) == [1]

    # A deliberate second add (a new click once the first is done) does add.
    page.go_back()
    choose(page, variant, js)
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("2 in your cart.")

"""A keyboard user's focus survives every htmx swap: it stays on the control they used (same id
in the new fragment) or moves to the swapped region, and the status region says what changed.

Only meaningful with JavaScript: without it every action is a full page load.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from shop.models import Product
from shop.moment.resolve import resolve

pytestmark = pytest.mark.e2e


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def press_on(page: Page, locator, key: str = "Enter") -> None:
    locator.focus()
    page.keyboard.press(key)


def test_focus_stays_on_the_control_after_each_swap(shop: str, page: Page, js: bool):
    if not js:
        pytest.skip("without JavaScript every action is a page load")
    card = (
        Product.objects.published(resolve())
        .as_cards()
        .filter(variant_count=1, stock_total__gt=0)
        .first()
    )
    page.goto(f"{shop}/catalog/?q={card.name}")
    heart = page.get_by_role("button", name=f"Save {card.name} to your wishlist")
    press_on(page, heart)
    expect(page.get_by_role("status")).to_contain_text(f"Saved {card.name} to your wishlist.")
    expect(page.get_by_role("button", name=f"Saved (remove {card.name} from your wishlist)"))
    assert focused_id(page) == f"wishlist-button-{card.pk}"

    add = page.get_by_role("button", name=f"Add to cart ({card.name})")
    press_on(page, add)
    expect(page.get_by_role("status")).to_contain_text("1 in your cart.")
    expect(add).to_be_enabled()
    expect(add).to_be_focused()

    # Filtering swaps the results: the field keeps focus and the status region reads the count.
    filters = page.locator("#filters-disclosure")
    if not filters.evaluate(
        "d => d.open || getComputedStyle(d.firstElementChild).display === 'none'"
    ):
        filters.get_by_text("Filters", exact=True).click()
    page.get_by_role("checkbox", name="In stock only").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ products?"))
    expect(page.get_by_role("checkbox", name="In stock only")).to_be_focused()

    page.goto(f"{shop}/cart/")
    quantity = page.get_by_role("spinbutton", name=re.compile(r"^Quantity of "))
    quantity.fill("2")
    quantity.press("Tab")  # change fires; htmx swaps the summary while focus moves on
    expect(page.get_by_role("status")).to_contain_text("2 in your cart.")
    line = page.locator("#cart-summary li").first.get_attribute("id").removeprefix("cart-line-")
    assert focused_id(page) == f"update-{line}"

    coupon = page.get_by_label("Coupon code")
    coupon.fill("welcome10")
    press_on(page, page.get_by_role("button", name="Apply"))
    expect(page.get_by_role("status")).to_contain_text("Coupon WELCOME10 applied")
    assert focused_id(page) == "cart-summary"


def test_choosing_an_option_with_arrow_keys_keeps_focus_on_it(shop: str, page: Page, js: bool):
    if not js:
        pytest.skip("without JavaScript every action is a page load")
    product = next(
        p
        for p in Product.objects.published(resolve()).order_by("pk")
        if len({v.options.get("size") for v in p.variants.all()}) > 2
    )
    page.goto(f"{shop}{product.get_absolute_url()}")
    sizes = page.get_by_role("group", name=re.compile("^Size"))
    checked = sizes.get_by_role("radio", checked=True)
    first = checked.get_attribute("id")
    checked.focus()
    page.keyboard.press("ArrowRight")  # the next size: checked, and the section swapped
    expect(page.get_by_role("status")).to_contain_text(re.compile(r": £[\d,.]+, "))
    now = sizes.get_by_role("radio", checked=True)
    expect(now).not_to_have_id(first)
    expect(now).to_be_focused()
    expect(page).to_have_url(re.compile(rf"size={now.get_attribute('value')}"))

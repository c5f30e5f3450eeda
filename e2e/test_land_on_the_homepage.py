"""A shopper opens the homepage on a phone and sees a product without scrolling.

The marketer's blocks above the products (a promotion, the hero) are shorter on a phone, never
hidden or moved, so the first product card's picture starts within the first 844 px.
"""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def test_a_phone_shows_a_product_on_the_first_screen(shop: str, page: Page, js: bool, screen: str):
    if screen != "phone":
        pytest.skip("a phone's first screen")
    page.goto(f"{shop}/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Good things, honestly priced")).to_be_visible()
    # A product card is a list item whose picture names the product (category tiles' are
    # decorative).
    card = main.get_by_role("listitem").filter(has=page.get_by_role("img")).first
    picture = card.get_by_role("img")
    expect(picture).to_be_visible()
    top = picture.bounding_box()["y"]
    height = page.viewport_size["height"]
    print(f"\nphone homepage, JS {'on' if js else 'off'}: first product picture's top at y={top}")
    assert 0 <= top < height, (top, height)
    assert page.evaluate("scrollY") == 0

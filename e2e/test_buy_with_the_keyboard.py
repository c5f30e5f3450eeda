"""A shopper buys something with the keyboard alone: from the homepage to the confirmation.

Only Tab, Shift+Tab, Enter, Space and the arrow keys move and act (typing fills the fields);
the journey counts those presses and prints them. Keyboards belong to desktops here.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from shop.models import Order

pytestmark = pytest.mark.e2e

LABELLED = "el => el.labels && el.labels[0] && el.labels[0].textContent.trim().startsWith({!r})"

NAVIGATION_KEYS = {
    "Tab",
    "Shift+Tab",
    "Enter",
    "Space",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
}


class Keyboard:
    def __init__(self, page: Page):
        self.page = page
        self.presses = 0

    def press(self, key: str) -> None:
        assert key in NAVIGATION_KEYS, key
        self.page.keyboard.press(key)
        self.presses += 1

    def tab_to(self, matches: str, limit: int = 150, key: str = "Tab") -> None:
        """Tab (or Shift+Tab) until the focused element satisfies `matches`, a JS predicate."""
        for _ in range(limit):
            self.press(key)
            if self.page.evaluate(f"(el => ({matches})(el))(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {matches}")

    def fill(self, label: str, text: str) -> None:
        self.tab_to(LABELLED.format(label))
        self.page.keyboard.type(text)


def named(text: str) -> str:
    return f"el => (el.textContent || '').replace(/\\s+/g, ' ').trim().startsWith({text!r})"


def test_buy_from_the_homepage_with_the_keyboard_alone(
    shop: str, page: Page, js: bool, screen: str
):
    if screen == "phone":
        pytest.skip("a phone has no Tab key")
    keys = Keyboard(page)
    page.goto(f"{shop}/")
    keys.tab_to(named("Catalog"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("All products")

    keys.tab_to("el => el.id.startsWith('card-add-')")
    keys.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 in your cart.")

    # With htmx focus stayed on the card's button, so the badge is back up; without, a new page.
    keys.tab_to("el => el.id === 'cart-badge'", key="Shift+Tab" if js else "Tab")
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")
    keys.tab_to(named("Check out"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")

    keys.fill("Email", "ada@example.com")
    keys.fill("Full name", "Ada Lovelace")
    keys.fill("Address", "12 St James's Square")
    keys.fill("Town or city", "London")
    keys.fill("Postcode", "SW1Y 4JH")
    keys.fill("Card number", "4242 4242 4242 4242")
    keys.press("Shift+Tab")  # Back to the delivery options, and forward again.
    keys.press("Tab")
    expect(page.get_by_label("Card number")).to_be_focused()
    keys.tab_to(named("Place order and pay"))
    keys.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order SF-\w{8}$"))
    expect(page.get_by_text("Status: Paid")).to_be_visible()
    assert Order.objects.get().status == "paid"
    print(f"\nkeyboard journey ({'js-on' if js else 'js-off'}): {keys.presses} key presses")

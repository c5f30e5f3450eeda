"""A shopper finds a product by typing its name with a typo in the header's search box.

With JavaScript, suggestions appear as they type (an ARIA combobox): they choose the product
with the arrow keys and Enter. Without it, the box is a plain search form: Enter shows the
results page, which says what the search was corrected to, and they open the product there.
"""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from shop.models import Product
from shop.moment.resolve import resolve

pytestmark = pytest.mark.e2e


def a_product_to_find() -> tuple[Product, str]:
    """A product in stock and the last two words of its name, with a typo in the first ("Lether
    Parka"): one whose two words few other products share, so it is among the suggestions."""
    for product in (
        Product.objects.published(resolve()).filter(variants__stock__gt=0).order_by("pk")
    ):
        words = product.name.split()[-2:]
        if len(words) < 2 or min(len(w) for w in words) < 5 or not words[0].isalpha():
            continue
        alike = Product.objects.published(resolve()).filter(name__icontains=words[0])
        if alike.filter(name__icontains=words[1]).count() <= 3:
            typo = words[0][0] + words[0][2:]  # a letter left out: "Leather" → "Lather"
            return product, f"{typo} {words[1]}".lower()
    raise AssertionError("the seeded catalog has no product to search for")


def type_in_the_search_box(page: Page, url: str, text: str) -> Locator:
    """Open `url` and type `text` into the header's search box, key by key; return the box."""
    page.goto(url)
    box = page.get_by_label("Search products")
    box.click()
    box.press_sequentially(text, delay=30)
    return box


def test_find_a_product_with_a_typo(shop: str, page: Page, js: bool):
    product, typed = a_product_to_find()
    box = type_in_the_search_box(page, f"{shop}/", typed)

    if js:
        expect(box).to_have_role("combobox")
        listbox = page.get_by_role("listbox", name=re.compile(r"^Suggestions for "))
        expect(box).to_have_attribute("aria-expanded", "true")
        expect(listbox).to_have_accessible_name(f"Suggestions for {typed}")
        wanted = listbox.get_by_role("option", name=re.compile(re.escape(product.name)))
        expect(wanted.first).to_be_visible()
        expect(page.get_by_role("status")).to_contain_text("suggested")
        # Down the list until the product is the active option; focus never leaves the box.
        option_id = f"suggestion-product-{product.pk}"
        for _ in range(8):
            box.press("ArrowDown")
            if box.get_attribute("aria-activedescendant") == option_id:
                break
        expect(box).to_have_attribute("aria-activedescendant", option_id)
        expect(page.locator(f"#{option_id}")).to_have_attribute("aria-selected", "true")
        expect(box).to_be_focused()
        box.press("Enter")
    else:
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/catalog/\?q="))
        results = page.get_by_role("region", name=re.compile(r"^\d+ products?"))
        expect(results).to_contain_text("Showing results for")
        card = results.get_by_role("listitem").filter(has_text=product.name).first
        card.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(rf"{re.escape(product.get_absolute_url())}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)


def test_escape_closes_the_suggestions_and_enter_shows_every_result(
    shop: str, page: Page, js: bool
):
    product, typed = a_product_to_find()
    box = type_in_the_search_box(page, f"{shop}/catalog/", typed)
    if js:
        expect(box).to_have_attribute("aria-expanded", "true")
        box.press("Escape")
        expect(box).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("listbox")).to_have_count(0)
        expect(box).to_have_value(typed)
    box.press("Enter")  # no suggestion chosen: the results page
    expect(page).to_have_url(re.compile(r"/catalog/\?q="))
    results = page.get_by_role("region", name=re.compile(r"^\d+ products?"))
    expect(results.get_by_role("listitem").filter(has_text=product.name).first).to_be_visible()
    marked = results.locator("mark").first  # the words searched for are marked
    expect(marked).to_be_visible()

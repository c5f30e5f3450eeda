"""A shopper is refused (a wrong or expired coupon, more than the stock, an option that does not
exist, a preview link that is not valid any more) and reads why, on the page they were on.

Each journey runs under production's settings and under the demo's (`make run`: `DEBUG` on),
because the two used to differ exactly here: under `DEBUG`, django-htmx's debug helper wrote
every 400/403/404 answer to an htmx request over the whole document, leaving a bare fragment
with no styles and no title. JavaScript on and off, desktop and phone, as every journey.
"""

import re

import pytest
from django.db.models import Count
from playwright.sync_api import Page, expect

from e2e.test_buy_something import a_variant_in_stock, add_to_cart, assert_not_reloaded, mark_window
from shop.models import Variant

pytestmark = pytest.mark.e2e


@pytest.fixture(params=[False, True], ids=["production", "demo"])
def debug(request, settings) -> bool:
    """The server's DEBUG: off as in production, on as `make run` serves the demo."""
    settings.DEBUG = request.param
    return request.param


def assert_whole_page(page: Page, title: str) -> None:
    """The page is still the shop's whole page: its title, its header and its stylesheet."""
    expect(page).to_have_title(re.compile(rf"^{re.escape(title)} · Storefront$"))
    expect(page.get_by_role("banner").get_by_role("link", name="Storefront")).to_be_visible()
    assert page.evaluate("document.styleSheets.length") >= 1, "the stylesheet is gone"


def test_a_wrong_coupon_and_an_expired_one_say_why_in_the_cart(
    shop: str, page: Page, js: bool, debug: bool
):
    variant = a_variant_in_stock()
    add_to_cart(page, shop, variant, js)
    page.goto(f"{shop}/cart/")
    mark_window(page, js)

    page.get_by_label("Coupon code").fill("NOPE")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("There is no coupon NOPE.")
    assert_whole_page(page, "Your cart")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cart")

    page.get_by_label("Coupon code").fill("SUMMER24")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("The code SUMMER24 has expired.")
    assert_whole_page(page, "Your cart")
    # The cart itself is untouched: the item is still there, with no coupon on it.
    expect(page.locator("#cart-summary")).to_contain_text(variant.product.name)
    assert_not_reloaded(page, js)


def test_more_than_the_stock_and_an_unknown_option_are_refused_on_the_product_page(
    shop: str, page: Page, js: bool, debug: bool
):
    variant = (
        Variant.objects.filter(stock__gte=2, stock__lte=90, product__status="published")
        .annotate(siblings=Count("product__variants"))
        .filter(siblings__gte=2)
        .select_related("product")
        .order_by("pk")
        .first()
    )
    product = variant.product
    choice = "&".join(f"{name}={value}" for name, value in variant.options.items())
    page.goto(f"{shop}{product.get_absolute_url()}?{choice}")
    mark_window(page, js)

    page.get_by_label("Quantity", exact=True).fill(str(variant.stock + 1))
    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(f"Only {variant.stock} of {product.name}")
    assert_whole_page(page, product.name)
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)
    assert_not_reloaded(page, js)

    # A tampered form: the first option's first choice now names a value that does not exist.
    radio = page.locator(".options input[type=radio]:not(:checked)").first
    radio.evaluate("input => { input.value = 'Plaid'; }")
    radio.check(force=True)
    if not js:
        page.get_by_role("button", name="Show price and stock").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"There is no \w+ like that"))
    assert_whole_page(page, product.name)
    expect(page.get_by_role("heading", level=1)).to_have_text(product.name)
    assert_not_reloaded(page, js)


@pytest.mark.parametrize("path", ["/releases/preview/not-a-token/", "/preview/not-a-token/"])
def test_a_preview_link_that_is_not_valid_any_more_says_so(
    shop: str, page: Page, js: bool, debug: bool, path: str
):
    response = page.goto(f"{shop}{path}")
    assert response is not None and response.status == 404
    assert_whole_page(page, "Preview link not valid")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This preview link is not valid any more"
    )
    expect(page.get_by_role("status")).to_contain_text("This preview link is not valid any more.")
    page.get_by_role("link", name="Go to the shop").click()
    expect(page).to_have_url(f"{shop}/")

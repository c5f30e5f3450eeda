"""A shopper opens a product from the catalog and sees its price, stock and options.

The page's schema.org JSON-LD (what search engines show) must agree with what the shopper sees.
"""

import json
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.accessibility import assert_in_first_viewport
from shop.domain.availability import LOW_STOCK_THRESHOLD  # "Only N left" up to this many.

pytestmark = pytest.mark.e2e

STOCK = re.compile(r"^(In stock|Only (\d+) left|Sold out)$")  # Also used by Playwright (JS).
SHOWN_PRICE = re.compile(r"^(From )?£[\d,]+\.\d{2}$")
IN_STOCK = "https://schema.org/InStock"
OUT_OF_STOCK = "https://schema.org/OutOfStock"


def literal(text: str) -> str:
    """`text` escaped for a regex that Playwright also runs as JavaScript (where / ends it)."""
    return re.escape(text).replace("/", r"\/")


def money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def shown_price(prices: list[Decimal]) -> str:
    low, high = min(prices), max(prices)
    return money(low) if low == high else f"From {money(low)}"


def expected_badge(variant_badges: list[str]) -> str:
    """The product's badge follows from its variants' badges: their stock adds up."""
    if "In stock" in variant_badges:
        return "In stock"
    left = sum(int(STOCK.match(badge)[2] or 0) for badge in variant_badges)
    if left == 0:
        return "Sold out"
    return f"Only {left} left" if left <= LOW_STOCK_THRESHOLD else "In stock"


def first_card(page: Page, showing: re.Pattern) -> Locator:
    results = page.get_by_role("region", name=re.compile(r"^\d+ products?"))
    cards = results.get_by_role("listitem").filter(has=page.get_by_role("link"))
    return cards.filter(has_text=showing).first


def open_and_check_product(page: Page, card: Locator) -> None:
    """Follow a catalog card's link and check the product page against the card and itself."""
    card_link = card.get_by_role("link").first  # the picture and name; "Choose options" follows
    name = card_link.inner_text().strip()
    card_text = card.inner_text()
    card_price = next(line for line in card_text.splitlines() if SHOWN_PRICE.match(line.strip()))
    card_badge = next(line for line in card_text.splitlines() if STOCK.match(line.strip()))

    card_link.click()

    expect(page).to_have_url(re.compile(r"/products/[-a-z0-9]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page).to_have_title(f"{name} · Storefront")
    product = page.get_by_role("article")
    expect(product.get_by_role("img").first).to_have_accessible_name(re.compile(literal(name)))

    # Price and stock, as the card in the catalog said.
    price = product.get_by_text(SHOWN_PRICE)
    expect(price).to_have_text(card_price.strip())
    badges = product.get_by_text(STOCK)  # The product's badge comes first, then each variant's.
    expect(badges.first).to_have_text(card_badge.strip())

    # The options on the page are the JSON-LD offers: same SKUs, prices and availability.
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Product"
    assert data["name"] == name
    offers = data["offers"]
    assert offers, "a published product offers at least one variant"
    options = page.get_by_role("group", name="Choose an option").get_by_role("radio")
    expect(options).to_have_count(len(offers))
    for offer in offers:
        assert offer["priceCurrency"] == "GBP"
        assert offer["availability"] in {IN_STOCK, OUT_OF_STOCK}, offer
        stock = r"(In stock|Only \d+ left)" if offer["availability"] == IN_STOCK else "Sold out"
        label = re.compile(
            rf"^{literal(offer['name'])} · {literal(money(Decimal(offer['price'])))}"
            rf" · {stock} SKU {literal(offer['sku'])}$"
        )
        option = page.get_by_role("radio", name=label)
        expect(option).to_have_count(1)
        if offer["availability"] == IN_STOCK:
            expect(option).to_be_enabled()
        else:
            expect(option).to_be_disabled()

    prices = [Decimal(offer["price"]) for offer in offers]
    expect(price).to_have_text(shown_price(prices))
    variant_badges = badges.all_inner_texts()[1:]
    assert len(variant_badges) == len(offers)
    expect(badges.first).to_have_text(expected_badge(variant_badges))

    # The first option that can be bought is chosen already.
    buyable = [offer["sku"] for offer in offers if offer["availability"] == IN_STOCK]
    chosen = page.get_by_role("radio", checked=True)
    if buyable:
        expect(chosen).to_have_count(1)
        expect(chosen).to_have_accessible_name(re.compile(rf" SKU {literal(buyable[0])}$"))
    else:
        expect(chosen).to_have_count(0)
    # Something to buy has an "Add to cart" button; a sold-out product says so instead.
    add = page.get_by_role("button", name="Add to cart", exact=True)
    if buyable:
        expect(add).to_be_enabled()
        if page.viewport_size["width"] < 768:  # A phone: gallery, title, price, options, button.
            assert_in_first_viewport(add)
    else:
        expect(add).to_have_count(0)
        expect(product.get_by_text("Sold out: nothing to add right now.")).to_be_visible()

    assert data["url"] == page.url
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", page.url)


# One product of each kind a first catalog page shows: several prices, nearly gone, sold out.
# The default order puts sold-out products last, so those come from the first page by name.
KINDS = {
    "several prices": ("", re.compile(r"From £")),
    "low stock": ("", re.compile(r"Only \d+ left")),
    "sold out": ("?sort=name", re.compile(r"Sold out")),
}


def test_open_a_product_from_the_catalog(shop: str, page: Page, js: bool):
    for kind, (query, showing) in KINDS.items():
        page.goto(f"{shop}/catalog/{query}")
        card = first_card(page, showing)
        expect(card, f"no {kind} product on the first page").to_be_visible()
        open_and_check_product(page, card)


def test_an_unknown_product_gets_the_shops_not_found_page(live_server, page: Page, js: bool):
    response = page.goto(f"{live_server.url}/products/no-such-product/")
    assert response is not None and response.status == 404

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We couldn\N{RIGHT SINGLE QUOTATION MARK}t find that page"
    )
    expect(page).to_have_title(re.compile(r"^Page not found · Storefront$"))
    # Still the shop: its header, and a way back into the catalog.
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="Browse the catalog")).to_be_visible()
    expect(
        page.get_by_role("main").get_by_role("searchbox", name="Search products")
    ).to_be_visible()

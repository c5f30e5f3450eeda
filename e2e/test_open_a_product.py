"""A shopper opens a product from the catalog and sees its price, stock and options, and
chooses another colour and size.

The page's schema.org JSON-LD (what search engines show) must agree with what the shopper sees.
"""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.accessibility import assert_in_first_viewport
from shop.models import CartLine, Product, Variant
from shop.moment.resolve import resolve

pytestmark = pytest.mark.e2e

STOCK = re.compile(r"^(In stock|Only (\d+) left|Sold out)$")  # Also used by Playwright (JS).
# A card says no count: it is the same for every visitor and changes only with the state.
CARD_STOCK = re.compile(r"^(In stock|Low stock|Sold out)$")
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
    card_badge = next(line for line in card_text.splitlines() if CARD_STOCK.match(line.strip()))

    card_link.click()

    expect(page).to_have_url(re.compile(r"/products/[-a-z0-9]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page).to_have_title(f"{name} · Storefront")
    product = page.get_by_role("article")
    expect(product.get_by_role("img").first).to_have_accessible_name(re.compile(literal(name)))

    # The options on the page are the JSON-LD offers: each offer's URL names its options.
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Product"
    assert data["name"] == name
    offers = data["offers"]
    assert offers, "a published product offers at least one variant"
    values = [dict(parse_qsl(urlsplit(offer["url"]).query)) for offer in offers]
    for offer in offers:
        assert offer["priceCurrency"] == "GBP"
        assert offer["availability"] in {IN_STOCK, OUT_OF_STOCK}, offer
    for option in {key for offer_values in values for key in offer_values}:
        offered = list(dict.fromkeys(v[option] for v in values))
        if len(offered) > 1:  # one value is stated, not offered as a choice
            group = product.get_by_role("group", name=re.compile(rf"^{option}\b", re.I))
            expect(group.get_by_role("radio")).to_have_count(len(offered))

    # The first offer in stock is chosen already; the page shows its price and stock.
    buyable = [i for i, offer in enumerate(offers) if offer["availability"] == IN_STOCK]
    chosen = buyable[0] if buyable else 0
    for radio in product.get_by_role("radio", checked=True).all():
        assert values[chosen][radio.get_attribute("name")] == radio.get_attribute("value")
    prices = [Decimal(offer["price"]) for offer in offers]
    assert card_price.strip() == shown_price(prices), "the card shows the lowest price"
    expect(product.locator("#product-price")).to_have_text(money(prices[chosen]))
    badge = product.locator("#product-availability")
    expect(badge).to_have_text(STOCK)
    if offers[chosen]["availability"] == IN_STOCK:
        expect(badge).not_to_have_text("Sold out")
    else:
        expect(badge).to_have_text("Sold out")
    expect(product.get_by_role("definition").filter(has_text=offers[chosen]["sku"])).to_be_visible()
    # A choice that is sold out says so in its name (what a screen reader reads, too).
    for radio in product.get_by_role("radio").all():
        other = {**values[chosen], radio.get_attribute("name"): radio.get_attribute("value")}
        match = next((i for i, v in enumerate(values) if v == other), None)
        if match is not None and offers[match]["availability"] == OUT_OF_STOCK:
            expect(radio).to_have_accessible_name(re.compile(r", sold out$"))

    # Something to buy has an "Add to cart" button; a sold-out product says so instead.
    add = page.get_by_role("button", name="Add to cart", exact=True)
    if card_badge.strip() == "Sold out":
        assert not buyable
        expect(add).to_have_count(0)
        expect(product.get_by_text("Sold out: nothing to add right now.")).to_be_visible()
    else:
        assert buyable
        expect(add).to_be_enabled()
        if page.viewport_size["width"] < 768:  # A phone: gallery, title, price, options, button.
            assert_in_first_viewport(add)

    assert data["url"] == page.url
    expect(page.locator('link[rel="canonical"]')).to_have_attribute("href", page.url)


# One product of each kind a first catalog page shows: several prices, nearly gone, sold out.
# The default order puts sold-out products last, so those come from the first page by name.
KINDS = {
    "several prices": ("", re.compile(r"From £")),
    "low stock": ("", re.compile(r"Low stock")),
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


def a_variant_in_its_second_colour() -> Variant:
    """A demo product made in several colours and sizes: a variant in stock that is not in its
    first colour, and not the first size, so choosing it changes both options."""
    for product in Product.objects.published(resolve()).order_by("pk"):
        variants = list(product.variants.all())
        colours = list(dict.fromkeys(v.options["colour"] for v in variants))
        sizes = list(dict.fromkeys(v.options.get("size") for v in variants))
        if len(colours) > 1 and len(sizes) > 1:
            for variant in variants:
                if (
                    variant.stock > 0
                    and variant.options["colour"] != colours[0]
                    and variant.options["size"] != sizes[0]
                ):
                    return variant
    raise AssertionError("the demo catalog has a product in several colours and sizes")


def choose_colour_and_size(page: Page, shop: str, variant, js: bool) -> None:
    """Open the variant's product page and pick its colour and size: with JavaScript in place
    (the window is marked, so a reload shows), without it through "Show price and stock"."""
    colour, size = variant.options["colour"], variant.options["size"]
    page.goto(f"{shop}{variant.product.get_absolute_url()}")
    if js:
        page.evaluate("window.__e2eMarker = 1")
    page.get_by_role("group", name=re.compile("^Colour")).get_by_role(
        "radio", name=colour, exact=True
    ).check()
    page.get_by_role("group", name=re.compile("^Size")).get_by_role(
        "radio", name=size, exact=True
    ).check()
    if not js:
        page.get_by_role("button", name="Show price and stock").click()


def test_choose_a_colour_and_a_size(shop: str, page: Page, js: bool):
    variant = a_variant_in_its_second_colour()
    colour, size = variant.options["colour"], variant.options["size"]
    choose_colour_and_size(page, shop, variant, js)

    # The price, stock, pictures and SKU are the chosen variant's, and the address names it.
    expect(page).to_have_url(re.compile(rf"\?colour={colour}&size={size}$"))
    expect(page.locator("#product-price")).to_have_text(money(variant.price))
    expect(page.locator("#product-availability")).to_have_text(variant.availability.message)
    gallery = page.get_by_role("list", name=re.compile("^Pictures of "))
    expect(gallery.get_by_role("img").first).to_have_accessible_name(
        re.compile(rf" in {colour.lower()}$")
    )
    expect(page.get_by_role("definition").filter(has_text=variant.sku)).to_be_visible()
    if js:
        assert page.evaluate("window.__e2eMarker === 1"), "htmx swapped it in, no reload"
        expect(page.get_by_role("status")).to_contain_text(f"{colour}, {size}: ")

    page.get_by_role("button", name="Add to cart", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("1 in your cart.")
    assert CartLine.objects.get().variant_id == variant.pk

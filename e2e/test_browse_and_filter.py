"""A shopper browses the catalog, narrows it with filters, goes back, reloads, and changes category.

With JavaScript, htmx swaps the results in place and pushes the URL; without it the shopper
presses "Show products" and gets a full page. The journey and its outcome are the same. On a phone
the filters are a full-height sheet over the page: the shopper closes it ("Show N products", or
the Filters toggle) to see the results.
"""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.accessibility import assert_in_first_viewport, disclose

pytestmark = pytest.mark.e2e

RESULTS_HEADING = re.compile(
    r"^(\d+ products?(, showing \d+\u2013\d+)?|No products match these filters)$"
)
COUNT_LABEL = re.compile(r"^(?P<label>.+) \((?P<count>\d+)\)$")
PRICE = re.compile(r"£([\d,]+\.\d{2})")


# Page helpers: everything is found by role and accessible name, as a shopper (or a screen
# reader) finds it.


SHOW_PRODUCTS = re.compile(r"^Show (\d+ products?|products)$")


def results(page: Page) -> Locator:
    """The results region, the filter sheet closed first where it covers them (a phone)."""
    close_filters(page)
    return page.get_by_role("region", name=RESULTS_HEADING)


def results_heading(page: Page) -> Locator:
    return results(page).get_by_role("heading", level=2, name=RESULTS_HEADING)


def product_cards(page: Page) -> Locator:
    """One list item per product card (each holds a link to the product page)."""
    return results(page).get_by_role("listitem").filter(has=page.get_by_role("link"))


def filters(page: Page) -> Locator:
    """The filter panel, opened first where it is folded away (a phone)."""
    panel = page.get_by_role("complementary", name="Filters")
    disclose(panel.locator("details"))
    return panel


def sheet_is_open(page: Page) -> bool:
    """Whether the filters are open as a sheet (a phone; wide screens show them as a sidebar)."""
    return page.locator("#filters-disclosure").evaluate(
        "d => d.open && getComputedStyle(d.querySelector('summary')).display !== 'none'"
    )


def close_filters(page: Page) -> None:
    """Close the filter sheet with its toggle, if it is open."""
    page.wait_for_load_state("networkidle")
    if sheet_is_open(page):
        page.get_by_role("complementary", name="Filters").get_by_text("Filters", exact=True).click()


def facet(page: Page, name: str) -> Locator:
    return filters(page).get_by_role("group", name=name)


def facet_option(page: Page, facet_name: str, label: str) -> Locator:
    pattern = re.compile(rf"^{re.escape(label)} \(\d+\)$")
    return facet(page, facet_name).get_by_role("checkbox", name=pattern)


def facet_counts(page: Page, facet_name: str) -> dict[str, int]:
    """{"Red": 8, ...} from the labels of a facet's checkboxes."""
    counts = {}
    for line in facet(page, facet_name).inner_text().splitlines():
        match = COUNT_LABEL.match(line.strip())
        if match:
            counts[match["label"]] = int(match["count"])
    return counts


def card_prices(page: Page) -> list[Decimal]:
    prices = []
    for text in product_cards(page).all_inner_texts():
        found = PRICE.findall(text)
        assert len(found) == 1, f"expected one price on the card, got {found!r} in {text!r}"
        prices.append(Decimal(found[0].replace(",", "")))
    return prices


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def has_params(**expected: str) -> re.Pattern:
    """A URL pattern requiring each name=value pair in the query string, in any order."""
    lookaheads = "".join(
        rf"(?=.*[?&]{re.escape(k)}={re.escape(v)}(&|$))" for k, v in expected.items()
    )
    return re.compile(rf"^{lookaheads}.*$")


def set_marker(page: Page, js: bool) -> None:
    """With JavaScript, mark the window: the mark survives swaps and dies with a full load."""
    if js:
        page.evaluate("window.__e2eMarker = 1")


def marker_survived(page: Page) -> bool:
    return page.evaluate("window.__e2eMarker === 1")


def go_back(page: Page) -> None:
    """Back, then wait until the page on screen is the restored one (htmx swaps it in later)."""
    page.evaluate("document.getElementById('catalog-results').dataset.before = 'back'")
    page.go_back()
    expect(page.locator("#catalog-results[data-before]")).to_have_count(0)


def apply_filters(page: Page, js: bool) -> None:
    """Without JavaScript the shopper submits the form; with it every change applied itself, and
    on a phone the shopper presses "Show N products" to close the sheet."""
    if not js or sheet_is_open(page):
        filters(page).get_by_role("button", name=SHOW_PRODUCTS).click()


# Journeys.


def test_filter_by_colour_stock_and_price_then_go_back_and_reload(shop: str, page: Page, js: bool):
    page.goto(f"{shop}/catalog/")
    expect(page.get_by_role("heading", level=1)).to_have_text("All products")
    assert_in_first_viewport(product_cards(page).first)  # Products first, even on a phone.
    expect(results_heading(page)).to_have_text(re.compile(r"^\d+ products, showing 1\u201324$"))
    total = int(results_heading(page).inner_text().split()[0])
    expect(page.get_by_role("navigation", name="Pagination")).to_contain_text("Page 1 of")

    # 1. Pick a colour. The label promises how many products are red.
    colours = facet_counts(page, "Colour")
    red = colours["Red"]
    assert 0 < red < total, colours
    set_marker(page, js)
    facet_option(page, "Colour", "Red").check()
    apply_filters(page, js)

    expect(page).to_have_url(has_params(colour="red"))
    expected_heading = f"{red} product{'s' if red != 1 else ''}, showing 1\N{EN DASH}{min(red, 24)}"
    expect(results_heading(page)).to_have_text(expected_heading)
    expect(product_cards(page)).to_have_count(min(red, 24))
    # Every card is a red product (its picture says so), and the other facets were recounted.
    for picture in product_cards(page).get_by_role("img").all():
        expect(picture).to_have_accessible_name(re.compile(r" in red$"))
    assert sum(facet_counts(page, "Material").values()) == red
    assert sum(facet_counts(page, "Brand").values()) == red
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    if js:
        assert marker_survived(page), "choosing a colour reloaded the whole page"

    # 2. Only what is in stock. (Waited for separately, so it gets its own history entry.)
    filters(page).get_by_role("checkbox", name="In stock only").check()
    apply_filters(page, js)
    expect(page).to_have_url(has_params(colour="red", in_stock="1"))
    expect(product_cards(page).filter(has_text="Sold out")).to_have_count(0)
    in_stock_heading = results_heading(page).inner_text()
    in_stock_count = int(in_stock_heading.split()[0])
    assert 0 < in_stock_count <= red
    in_stock_url = page.url

    # 3. Cheapest first.
    filters(page).get_by_role("combobox", name="Sort by").select_option(label="Price: low to high")
    apply_filters(page, js)
    expect(page).to_have_url(has_params(colour="red", in_stock="1", sort="price"))
    expect(results_heading(page)).to_have_text(in_stock_heading)
    prices = card_prices(page)
    assert len(prices) == in_stock_count
    assert prices == sorted(prices), f"not cheapest first: {prices}"
    if js:
        assert marker_survived(page), "filtering reloaded the whole page"

    # 4. Back: the previous results, for the previous URL. (That every form control shows the
    # previous state too is test_back_shows_the_filters_of_the_results below.)
    go_back(page)
    expect(page).to_have_url(in_stock_url)
    assert "price" not in query(page).get("sort", []), page.url
    expect(filters(page).get_by_role("checkbox", name="In stock only")).to_be_checked()
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    expect(facet_option(page, "Colour", "Blue")).not_to_be_checked()
    expect(results_heading(page)).to_have_text(in_stock_heading)

    # 5. Reload the pushed URL: the server renders the whole page in the same state.
    page.reload()
    expect(page).to_have_url(in_stock_url)
    if js:
        assert not marker_survived(page), "reload did not load a fresh page"
    expect(page.get_by_role("heading", level=1)).to_have_text("All products")
    expect(filters(page).get_by_role("navigation", name="Categories")).to_be_visible()
    expect(results_heading(page)).to_have_text(in_stock_heading)
    expect(filters(page).get_by_role("combobox", name="Sort by")).to_have_value("newest")
    expect(filters(page).get_by_role("checkbox", name="In stock only")).to_be_checked()
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    expect(product_cards(page).filter(has_text="Sold out")).to_have_count(0)


def test_back_shows_the_filters_of_the_results(shop: str, page: Page, js: bool):
    start = f"{shop}/catalog/?colour=red"
    page.goto(start)
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    red_heading = results_heading(page).inner_text()
    expect(product_cards(page).filter(has_text="Sold out")).not_to_have_count(0)

    filters(page).get_by_role("checkbox", name="In stock only").check()
    apply_filters(page, js)
    expect(page).to_have_url(has_params(colour="red", in_stock="1"))
    expect(product_cards(page).filter(has_text="Sold out")).to_have_count(0)

    go_back(page)
    expect(page).to_have_url(start)
    expect(results_heading(page)).to_have_text(red_heading)
    expect(product_cards(page).filter(has_text="Sold out")).not_to_have_count(0)
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    expect(filters(page).get_by_role("checkbox", name="In stock only")).not_to_be_checked()


def test_choose_a_category(shop: str, page: Page, js: bool):
    page.goto(f"{shop}/catalog/")
    categories = filters(page).get_by_role("navigation", name="Categories")
    link = categories.get_by_role("link", name=re.compile(r"^Clothing \(\d+\)$"))
    count = int(COUNT_LABEL.match(link.inner_text().strip())["count"])
    assert count > 0

    link.click()

    expect(page).to_have_url(re.compile(r"/catalog/clothing/(\?.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Clothing")
    expect(page).to_have_title(re.compile(r"^Clothing · "))
    expect(results_heading(page)).to_have_text(re.compile(rf"^{count} products?\b"))
    expect(
        filters(page)
        .get_by_role("navigation", name="Categories")
        .get_by_role("link", name="All products")
    ).not_to_have_attribute("aria-current", "page")
    close_filters(page)
    expect(
        page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Clothing")
    ).to_have_attribute("aria-current", "page")
    # Subcategories of Clothing are offered now.
    categories = filters(page).get_by_role("navigation", name="Categories")
    expect(categories.get_by_role("link", name=re.compile(r"^Tops \(\d+\)$"))).to_be_visible()


def test_the_address_names_only_the_filters_chosen(shop: str, page: Page, js: bool):
    """Without JavaScript the form sends its empty fields too (the server redirects them
    away); with it htmx leaves them out: either way the address has no empty parameter."""
    page.goto(f"{shop}/catalog/")
    facet_option(page, "Colour", "Red").check()
    apply_filters(page, js)
    expect(page).to_have_url(f"{shop}/catalog/?sort=newest&colour=red")

    min_price = filters(page).get_by_role("spinbutton", name="Min price")
    min_price.fill("5")
    min_price.press("Tab")  # with JavaScript, the change applies it
    apply_filters(page, js)
    expect(page).to_have_url(f"{shop}/catalog/?min_price=5&sort=newest&colour=red")
    expect(results_heading(page)).to_be_visible()

    min_price = filters(page).get_by_role("spinbutton", name="Min price")
    min_price.fill("")
    min_price.press("Tab")
    apply_filters(page, js)
    expect(page).to_have_url(f"{shop}/catalog/?sort=newest&colour=red")
    expect(facet_option(page, "Colour", "Red")).to_be_checked()
    expect(filters(page).get_by_role("spinbutton", name="Min price")).to_have_value("")


def test_a_malformed_price_is_reported_and_ignored(shop: str, page: Page, js: bool):
    response = page.goto(f"{shop}/catalog/?min_price=abc")
    assert response is not None and response.status == 400

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Min price")
    expect(alert).to_contain_text("ignored")
    expect(results_heading(page)).to_have_text(re.compile(r"^\d+ products, showing 1\u201324$"))
    expect(product_cards(page)).to_have_count(24)


def test_on_a_phone_the_filters_are_a_sheet_that_shows_the_products(
    shop: str, page: Page, js: bool, screen: str
):
    """Open Filters, choose, read "Show N products", press it: the sheet closes onto the results.

    With JavaScript the button counts the results of every choice as it is made; without, a
    choice is counted only once submitted, so the button says "Show products".
    """
    if screen != "phone":
        pytest.skip("wide screens show the filters as a sidebar, never a sheet")
    page.goto(f"{shop}/catalog/")
    panel = page.get_by_role("complementary", name="Filters")
    toggle = panel.get_by_text("Filters", exact=True)
    toggle.click()

    # A sheet over the whole screen; the page behind it is hidden meanwhile.
    sheet = page.locator("#filters-disclosure")
    assert sheet.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
    expect(page.get_by_role("heading", level=2, name=RESULTS_HEADING)).to_be_hidden()
    expect(page.get_by_role("search")).to_be_hidden()
    if js:
        page.evaluate("window.__audit('sheet open')")  # axe with the sheet open, before any swap
    show = panel.get_by_role("button", name=SHOW_PRODUCTS)
    expect(show).to_be_in_viewport()
    total = int(show.inner_text().split()[1]) if js else None

    red = facet_counts(page, "Colour")["Red"]
    facet_option(page, "Colour", "Red").check()
    if js:
        assert total is not None and red < total
        expect(show).to_have_accessible_name(f"Show {red} product{'s' if red != 1 else ''}")
        # Another choice: the count follows it.
        panel.get_by_role("checkbox", name="In stock only").check()
        expect(show).not_to_have_accessible_name(f"Show {red} products")
        promised = int(show.inner_text().split()[1])
        print(f"\nphone sheet (JS on): Red (+ in stock) says {show.inner_text()!r}")
    else:
        expect(show).to_have_accessible_name("Show products")  # no count it cannot know
        promised = red  # the label "Red (N)" promised it
        print(f"\nphone sheet (JS off): the button says {show.inner_text()!r}; Red promised {red}")

    show.click()

    expect(page).to_have_url(has_params(colour="red"))
    assert not sheet_is_open(page)
    heading = page.get_by_role("heading", level=2, name=RESULTS_HEADING)
    expect(heading).to_have_text(re.compile(rf"^{promised} products?, showing 1\u2013"))
    first_picture = product_cards(page).first.get_by_role("img")
    assert_in_first_viewport(first_picture)
    print(
        f"after 'Show': {heading.inner_text()!r}, first picture at {first_picture.bounding_box()}"
    )
    if js:
        expect(heading).to_be_focused()  # never lost to <body>

    # The toggle closes the sheet too, and keeps focus; so does Escape, with JavaScript.
    toggle.click()
    assert sheet_is_open(page)
    toggle.click()
    assert not sheet_is_open(page)
    expect(toggle).to_be_focused()
    if js:
        toggle.click()
        assert sheet_is_open(page)
        panel.get_by_role("checkbox", name="In stock only").focus()
        page.keyboard.press("Escape")
        assert not sheet_is_open(page)
        expect(toggle).to_be_focused()


def test_cards_in_a_row_line_up_with_a_quiet_heart_and_one_action(shop: str, page: Page, js: bool):
    """Every card of a row is as tall as the others, its one action at the same bottom line; the
    heart is an icon button (a large enough target) beside it, named for what it does."""
    page.goto(f"{shop}/catalog/")
    rows: dict[float, list[tuple[dict, dict | None]]] = {}
    for card in product_cards(page).all():
        hearts = card.get_by_role("button", name=re.compile(r"^Save .+ to your wishlist$"))
        expect(hearts).to_have_count(1)
        heart = hearts.bounding_box()
        assert heart is not None and 44 <= heart["width"] <= 48 and heart["height"] >= 44, heart
        actions = card.get_by_role("button", name=re.compile(r"^Add to cart \(")).or_(
            card.get_by_role("link", name=re.compile(r"^Choose options for "))
        )
        sold_out = card.get_by_text("Sold out").count() > 0
        expect(actions).to_have_count(0 if sold_out else 1)
        action = None if sold_out else actions.bounding_box()
        if action:
            assert action["height"] >= 44, action
        box = card.bounding_box()
        assert box is not None
        rows.setdefault(round(box["y"]), []).append((box, action))
    assert len(rows) > 2 and max(len(row) for row in rows.values()) >= 2, rows.keys()
    for y, row in rows.items():
        heights = {round(box["height"]) for box, _ in row}
        assert len(heights) == 1, f"cards of the row at y={y} differ in height: {heights}"
        bottoms = {round(a["y"] + a["height"]) for _, a in row if a}
        assert len(bottoms) <= 1, f"actions of the row at y={y} end at {bottoms}"

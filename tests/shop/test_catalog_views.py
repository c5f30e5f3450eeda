"""Catalog and product pages over HTTP: full pages without JavaScript, fragments for htmx."""

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client, override_settings

from shop.models import Product
from tests.factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def catalog():
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    make_product(
        name="Red Shirt",
        category=shirts,
        prices=("20.00", "25.00"),
        stocks=[3, 0],
        attributes=[("colour", "red")],
    )
    make_product(
        name="Blue Shirt", category=shirts, prices=("22.00",), attributes=[("colour", "blue")]
    )
    return {"clothing": clothing, "shirts": shirts}


def ids_in(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def vary(response) -> set[str]:
    return {v.strip() for v in response["Vary"].split(",")}


def test_catalog_without_javascript_is_a_full_page(client, catalog):
    response = client.get("/catalog/clothing/?colour=red")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "<h1>Clothing</h1>" in html
    assert "1 product, showing 1–1" in html
    assert "Red Shirt" in html and "Blue Shirt" not in html
    assert 'id="catalog-filters"' in html
    assert "hx-swap-oob" not in html
    assert "HX-Request" in vary(response)


def test_catalog_filter_with_htmx_swaps_results_and_recounts_facets_out_of_band(client, catalog):
    response = client.get("/catalog/clothing/?colour=red", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "<h1>" not in html
    assert html.lstrip().startswith('<section id="catalog-results"')
    assert 'id="catalog-facets" class="facets" hx-swap-oob="true"' in html
    assert 'id="catalog-categories"' in html
    assert "Red Shirt" in html and "Blue Shirt" not in html
    # The colour facet still offers blue, with its count, while red is chosen.
    assert re.search(r'value="blue">\s*<label[^>]*>Blue <span class="count">\(1\)', html)
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= vary(response)


def show_button(html: str) -> str:
    """The text of the filter form's "Show N products" count, wherever it is in the HTML."""
    return re.search(r'<span id="filters-show-count"[^>]*>([^<]*)</span>', html)[1]


def test_show_products_says_the_count_of_the_results_and_follows_each_filter(client, catalog):
    page = client.get("/catalog/").content.decode()
    button = re.search(r'<button id="filters-show" type="submit".*?</button>', page, re.S)[0]
    assert show_button(button) == "Show 2 products"
    assert "2 products, showing 1–2" in page
    # htmx swaps the results; the count, outside them in the form, comes out of band.
    for query, shown in [("colour=red", "Show 1 product"), ("colour=tartan", "Show 0 products")]:
        fragment = client.get(f"/catalog/?{query}", headers=HTMX).content.decode()
        oob = '<span id="filters-show-count" class="filters-show__count" hx-swap-oob="true">'
        assert f"{oob}{shown}</span>" in fragment
        assert show_button(client.get(f"/catalog/?{query}").content.decode()) == shown


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-History-Restore-Request": "true"},
    ],
    ids=["boosted", "history-restore"],
)
def test_boosted_and_history_restore_requests_get_the_full_page(client, catalog, headers):
    response = client.get("/catalog/?colour=red", headers=headers)
    assert "<html" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("min_price=abc", "Min price: Enter a number."),
        ("min_price=-5", "Min price: Ensure this value is greater than or equal to 0."),
        ("min_price=5&max_price=1", "The maximum price must not be below the minimum price."),
        ("sort=drop+table", "Sort by: Select a valid choice."),
        ("page=0", "Ensure this value is greater than or equal to 1."),
        ("page=abc", "Enter a whole number."),
        ("min_price=1e400", "Min price"),
        ("colour=%3Cscript%3E", "is not a valid colour value"),
    ],
)
def test_bad_filter_input_is_a_400_with_a_message_and_the_rest_still_works(
    client, catalog, query, message
):
    for headers in ({}, HTMX):
        response = client.get(f"/catalog/?{query}", headers=headers)
        html = response.content.decode()
        assert response.status_code == 400, query
        assert message in html
        assert "That part of the filter was ignored." in html
        assert "<script>" not in html
        assert "2 products" in html  # the valid part of the query still lists products


def test_a_page_past_the_end_is_a_404_that_says_how_many_pages_there_are(client, catalog):
    response = client.get("/catalog/?page=99999&colour=red")
    html = response.content.decode()
    assert response.status_code == 404
    assert "There is no page 99999: these results have 1 page." in html
    assert 'href="/catalog/?colour=red">Go to page 1' in html


def test_an_unknown_category_is_the_shops_404_page(client, catalog):
    response = client.get("/catalog/no-such-thing/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_an_unknown_attribute_matches_nothing_but_unrelated_keys_are_ignored(client, catalog):
    response = client.get("/catalog/?colour=tartan")
    assert response.status_code == 200
    assert "No products match these filters" in response.content.decode()
    assert "2 products" in client.get("/catalog/?utm_source=newsletter").content.decode()


def test_catalog_refuses_post(client, catalog):
    assert client.post("/catalog/").status_code == 405


def test_active_filters_are_chips_that_each_remove_one_filter(client, catalog):
    html = client.get("/catalog/?colour=red&colour=blue&in_stock=1&page=1").content.decode()
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', html)
    assert chips == [
        ("/catalog/?colour=red&amp;colour=blue", "In stock only"),
        ("/catalog/?colour=red&amp;in_stock=1", "Colour: Blue"),
        ("/catalog/?colour=blue&amp;in_stock=1", "Colour: Red"),
    ]
    # The filter form is a disclosure: closed until opened (wide screens show it anyway).
    assert '<details class="filters-disclosure" id="filters-disclosure">' in html
    assert 'class="filter-chips"' not in client.get("/catalog/").content.decode()


# A form sent without JavaScript submits every field, the empty ones too.


@pytest.mark.parametrize(
    ("asked", "clean"),
    [
        ("/catalog/?q=&min_price=", "/catalog/"),
        ("/catalog/?q=shirt&min_price=&max_price=", "/catalog/?q=shirt"),
        ("/catalog/?colour=red&q=+&sort=name&in_stock=&colour=blue",
         "/catalog/?colour=red&sort=name&colour=blue"),
        ("/catalog/clothing/?min_price=&q=red%20shirt&page=", "/catalog/clothing/?q=red%20shirt"),
    ],
)  # fmt: skip
def test_without_javascript_blank_parameters_redirect_to_the_same_url_without_them(
    client, catalog, asked, clean
):
    for headers in ({}, {"HX-Request": "true", "HX-Boosted": "true"}):
        response = client.get(asked, headers=headers)
        assert (response.status_code, response["Location"]) == (302, clean)
    assert client.head(asked).status_code == 302
    assert client.get(clean).status_code == 200


def blank_parameters_in_links(html: str) -> list[str]:
    """The links and hx-get URLs of `html` that carry a blank parameter."""
    urls = [unescape(url) for url in re.findall(r'(?:href|hx-get)="([^"]*)"', html)]
    return [
        url
        for url in urls
        if any(not value.strip() for _, value in parse_qsl(urlsplit(url).query, True))
    ]


def test_with_htmx_blank_parameters_get_the_fragment_and_no_link_carries_them(
    client, catalog, settings
):
    settings.CATALOG_PAGE_SIZE = 1
    query = "q=shirt&min_price=&max_price=&in_stock=&sort=name&page="
    response = client.get(f"/catalog/?{query}", headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="catalog-results"')
    assert "2 products, showing 1–1" in html
    assert 'rel="next" href="?q=shirt&amp;sort=name&amp;page=2"' in html
    assert '<a class="chip" href="/catalog/?sort=name">Search: shirt' in html
    assert 'href="/catalog/clothing/?q=shirt&amp;sort=name"' in html  # the categories, OOB
    assert blank_parameters_in_links(html) == []
    # The full page's links too (a first visit, a boosted request: the clean URL's page).
    page = client.get("/catalog/?q=shirt&sort=name").content.decode()
    assert blank_parameters_in_links(page) == []


def test_the_default_order_is_newest_first_with_sold_out_products_last(client, catalog):
    make_product(name="Sold Out Scarf", category=catalog["shirts"], stocks=[0])  # The newest.
    html = client.get("/catalog/").content.decode()
    names = re.findall(r'class="product-card__name">([^<]+)<', html)
    assert names == ["Blue Shirt", "Red Shirt", "Sold Out Scarf"]


def test_pagination_links_keep_the_filters(client, catalog, settings):
    settings.CATALOG_PAGE_SIZE = 1
    html = client.get("/catalog/?sort=name").content.decode()
    assert 'href="?sort=name&amp;page=2"' in html
    assert 'hx-get="?sort=name&amp;page=2"' in html
    page_two = client.get("/catalog/?sort=name&page=2", headers=HTMX).content.decode()
    assert "Red Shirt" in page_two and "Blue Shirt" not in page_two
    assert 'rel="prev" href="?sort=name&amp;page=1"' in page_two


def test_product_page_shows_price_stock_and_matching_structured_data(client, catalog):
    product = Product.objects.get(name="Red Shirt")
    response = client.get(f"/products/{product.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Only 3 left" in html and "sold out" in html
    assert f'<link rel="canonical" href="http://testserver/products/{product.slug}/">' in html
    assert '<meta property="og:title" content="Red Shirt">' in html
    assert '<meta name="description" content="A product made for tests.">' in html
    match = re.search(
        r'<script id="product-json-ld" type="application/ld\+json">(.*?)</script>', html
    )
    data = json.loads(match.group(1))
    assert data["@type"] == "Product" and data["name"] == "Red Shirt"
    offers = {o["price"]: o["availability"] for o in data["offers"]}
    assert offers == {
        "20.00": "https://schema.org/InStock",
        "25.00": "https://schema.org/OutOfStock",
    }
    # The sold-out option can be chosen (to see its price) and says it is sold out; the one in
    # stock is chosen, and its price and stock are what the page shows.
    sold_out = r'value="\d+"><span>Option 2</span><span class="visually-hidden">, sold out'
    assert re.search(sold_out, html)
    assert '<p class="product__price" id="product-price">£20.00</p>' in html
    assert "SKU" not in re.search(r'<section id="product-buy".*?</section>', html, re.S).group(0)


def test_unpublished_and_unknown_products_are_404(client, catalog):
    product = Product.objects.get(name="Blue Shirt")
    product.status = Product.Status.DRAFT
    product.save()
    assert client.get(f"/products/{product.slug}/").status_code == 404
    assert client.get("/products/nothing-here/").status_code == 404


def test_pages_send_a_strict_content_security_policy_and_no_inline_script(client, catalog):
    """Scripts come from the shop's own files only: no inline script, so no nonce either (a
    shared page is the same HTML for every visitor)."""
    response = client.get("/catalog/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "nonce" not in policy
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(" src=" in s or "ld+json" in s for s in scripts)
    assert " style=" not in html and "nonce=" not in html


@override_settings(DEBUG=False)
def test_a_server_error_gets_the_shops_500_page(catalog, monkeypatch):
    from shop.queries import catalog as catalog_queries

    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(catalog_queries, "product_listing", explode)
    client = Client(raise_request_exception=False)
    response = client.get("/catalog/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_health_check_is_trivial(client):
    response = client.get("/healthz")
    assert response.content == b"ok"


# Query budgets for whole pages and fragments, at two catalog sizes.


def grow(catalog, count):
    for i in range(count):
        make_product(
            name=f"More {i}",
            category=catalog["shirts"],
            prices=("10.00", "11.00"),
            attributes=[("colour", "red" if i % 2 else "blue"), ("material", "linen")],
        )


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/catalog/", {}),
        ("/catalog/clothing/?colour=red&in_stock=1&sort=price", {}),
        ("/catalog/clothing/?colour=red&in_stock=1&sort=price", HTMX),
    ],
    ids=["page", "filtered-page", "filtered-fragment"],
)
def test_catalog_query_budget_holds_at_two_sizes(
    client, catalog, django_assert_max_num_queries, url, headers, warm_footer
):
    # The catalog index (seven queries, once per catalog change) and the page's cached copy's
    # generation tokens (one, when their copies in the cache have expired).
    with django_assert_max_num_queries(8):
        assert client.get(url, headers=headers).status_code == 200
    grow(catalog, 30)
    with django_assert_max_num_queries(8):
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.content.decode().count('class="product-card"') > 10
    # Another filter state: no query at all (the index has its counts, order and cards).
    with django_assert_max_num_queries(0):
        assert (
            client.get(
                f"{url}&max_price=99.99" if "?" in url else f"{url}?max_price=99.99",
                headers=headers,
            ).status_code
            == 200
        )


def test_product_page_query_budget_holds_at_two_sizes(
    client, catalog, django_assert_max_num_queries, warm_footer
):
    product = Product.objects.get(name="Red Shirt")
    # Five for the page, and one for the generation tokens of its cached copy (once per
    # CACHE_TOKEN_SECONDS, when their copies in the cache have expired).
    with django_assert_max_num_queries(6):
        client.get(product.get_absolute_url())
    grow(catalog, 20)
    for i in range(8):
        product.variants.create(sku=f"MORE-{i}", name=f"More {i}", price="9.00", stock=2)
    with django_assert_max_num_queries(6):
        response = client.get(product.get_absolute_url())
    assert response.content.decode().count('type="radio" id="option-variant-') == 10


def test_removing_the_last_filter_links_to_the_bare_catalog(client, catalog):
    """The last chip's link carries no query at all: `/catalog/`, not `/catalog/?`."""
    html = client.get("/catalog/?in_stock=1").content.decode()
    chips = re.findall(r'<a class="chip" href="([^"]+)">([^<]+)<', html)
    assert chips == [("/catalog/", "In stock only")]

"""Search: documents kept current on write, what a typed search means, the results page, the
suggestions fragment, the zero-result report and its admin, and the query budgets.

Relevance on the seeded demo catalog has its own suite (test_search_relevance.py).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import (
    AttributeValue,
    Category,
    Product,
    SearchDocument,
    SearchPin,
    SearchSynonym,
    Variant,
    ZeroResultSearch,
)
from shop.moment.resolve import resolve
from shop.queries import catalog as catalog_queries
from shop.queries import search as search_queries
from shop.services import search as search_service
from tests.factories import CategoryFactory, UserFactory, make_product

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shop():
    """Clothing > Knitwear and Coats, Home > Kitchen; sweaters, jumpers, parkas and a mug."""
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    knitwear = CategoryFactory(name="Knitwear", slug="knitwear", parent=clothing)
    coats = CategoryFactory(name="Coats", slug="coats", parent=clothing)
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
    products = {
        "sweater": make_product(
            name="Classic Wool Sweater",
            category=knitwear,
            attributes=[("colour", "navy"), ("material", "wool")],
        ),
        "sold-out sweater": make_product(
            name="Heritage Wool Sweater", category=knitwear, stocks=[0]
        ),
        "jumper": make_product(name="Everyday Cotton Jumper", category=knitwear),
        "parka": make_product(
            name="City Leather Parka",
            category=coats,
            prices=("200.00",),
            attributes=[("colour", "black"), ("material", "leather")],
        ),
        "wool parka": make_product(
            name="Trail Wool Parka", category=coats, attributes=[("colour", "black")]
        ),
        "mug": make_product(
            name="Studio Café Mug",
            category=kitchen,
            description="A mug for leather-bound readers.",
            attributes=[("colour", "white")],
        ),
    }
    return {"knitwear": knitwear, "coats": coats, "kitchen": kitchen, **products}


def found(text: str) -> list[str]:
    """Names of the products the catalog lists for the search `text`, in order."""
    listing = catalog_queries.product_listing(
        state=resolve(), filters=catalog_queries.CatalogFilters(q=text)
    )
    return [card.name for card in listing.products]


def card_names(html: str) -> list[str]:
    names = re.findall(r'class="product-card__name">(.*?)</span>', html)
    return [re.sub(r"</?mark>", "", n) for n in names]


# Documents are kept current on write --------------------------------------------------------


def test_a_product_is_found_by_its_name_category_path_attributes_description_and_skus(shop):
    document = SearchDocument.objects.get(product=shop["parka"])
    assert document.name == "City Leather Parka"
    assert {"Coats", "Clothing", "Black", "Leather"} <= set(document.facets.split())
    sku = shop["parka"].variants.get().sku
    assert "A product made for tests." in document.body
    for text in ("parka", "clothing", "black", "made for tests", sku, sku.lower()):
        assert list(Product.objects.search(text)) == [shop["parka"]] or shop["parka"] in list(
            Product.objects.search(text)
        ), text


def test_renaming_a_product_category_or_attribute_value_or_a_sku_refreshes_documents(shop):
    parka = shop["parka"]
    parka.name = "City Leather Anorak"
    parka.save()
    assert list(Product.objects.search("anorak")) == [parka]
    assert parka not in Product.objects.search("parka")

    coats = Category.objects.get(slug="coats")
    coats.name = "Outerwear"
    coats.save()
    assert set(Product.objects.search("outerwear")) == {parka, shop["wool parka"]}

    clothing = Category.objects.get(slug="clothing")
    clothing.name = "Apparel"
    clothing.save()
    assert parka in Product.objects.search("apparel")  # the grandparent's name too

    black = AttributeValue.objects.get(slug="black")
    black.label = "Jet"
    black.save()
    assert set(Product.objects.search("jet")) == {parka, shop["wool parka"]}

    variant = parka.variants.get()
    variant.sku = "ZX-9"
    variant.save()
    assert list(Product.objects.search("ZX-9")) == [parka]


def test_deleting_a_variant_or_attribute_refreshes_and_deleting_a_product_removes_its_document(
    shop,
):
    mug = shop["mug"]
    mug.attributes.get().delete()
    assert mug not in Product.objects.search("white")
    Variant.objects.create(product=mug, sku="MUG-2", name="Large", price="9.00", stock=1)
    assert list(Product.objects.search("large")) == [mug]
    mug.variants.get(sku="MUG-2").delete()
    assert list(Product.objects.search("large")) == []

    mug.delete()  # the variant's and attribute's deletes do not bring the document back
    assert not SearchDocument.objects.filter(product_id=mug.pk).exists()


def test_refreshing_every_document_rewrites_nothing_that_did_not_change(shop):
    before = dict(SearchDocument.objects.values_list("product_id", "body"))
    search_service.refresh_documents()
    assert dict(SearchDocument.objects.values_list("product_id", "body")) == before


# What a typed search means ------------------------------------------------------------------


def test_words_are_stemmed_and_the_last_one_is_also_a_prefix(shop):
    assert found("sweaters") == ["Classic Wool Sweater", "Heritage Wool Sweater"]
    assert found("leather par") == ["City Leather Parka"]
    assert found("swea") == ["Classic Wool Sweater", "Heritage Wool Sweater"]


def test_accents_and_case_do_not_matter_either_way(shop):
    assert found("CAFE") == found("café") == ["Studio Café Mug"]
    assert found("Léather Pärka") == ["City Leather Parka"]


@pytest.mark.parametrize(
    ("typed", "searched"),
    [("sweter", "sweater"), ("lether parka", "leather parka"), ("parka blak", "parka black")],
)
def test_typos_are_corrected_and_the_results_say_so(client, shop, typed, searched):
    plan = search_queries.interpret(typed)
    assert plan.corrected == searched and plan.suggestion is None
    assert found(typed) == found(searched)
    html = client.get("/catalog/", {"q": typed}).content.decode()
    assert f"Showing results for <strong>{searched}</strong>." in html


def test_a_search_that_finds_nothing_offers_a_close_search_when_there_is_one(client, shop):
    plan = search_queries.interpret("swetar")  # two slips: too far to search for unasked
    assert found("swetar") == [] and plan.suggestion == "sweater"
    html = client.get("/catalog/", {"q": "swetar"}).content.decode()
    assert 'Did you mean <a href="/catalog/?q=sweater">sweater</a>?' in html
    assert search_queries.interpret("xyzzy").suggestion is None


def test_synonyms_find_each_other_but_what_was_typed_comes_first(shop):
    assert found("jumper") == ["Everyday Cotton Jumper"]
    SearchSynonym.objects.create(terms="Jumper, sweater")
    assert found("jumper") == [
        "Everyday Cotton Jumper",  # the word typed, in the name
        "Classic Wool Sweater",  # a synonym, in stock
        "Heritage Wool Sweater",  # sold out last
    ]
    assert found("sweater")[:2] == ["Classic Wool Sweater", "Heritage Wool Sweater"]
    assert found("jumpr") == found("jumper")  # a corrected word's synonyms too


def test_a_phrase_can_be_a_synonym(shop):
    make_product(name="Linen T-shirt", category=shop["knitwear"])
    make_product(name="Linen Shirt", category=shop["knitwear"])
    SearchSynonym.objects.create(terms="tee, t-shirt")
    assert found("tee") == ["Linen T-shirt"]
    assert found("t-shirt") == ["Linen T-shirt"]


def test_pinned_products_come_first_in_their_order_even_if_they_do_not_match(shop):
    SearchPin.objects.create(query="Gift ", product=shop["mug"], position=2)
    SearchPin.objects.create(query="gift", product=shop["parka"], position=1)
    assert found("gift") == ["City Leather Parka", "Studio Café Mug"]
    SearchPin.objects.create(query="wool", product=shop["mug"])
    assert found("WOOL")[0] == "Studio Café Mug"


def test_matches_in_the_name_come_before_facets_before_the_description(shop):
    # "leather": the parka's name, then the mug's description; "black": only facets.
    assert found("leather") == ["City Leather Parka", "Studio Café Mug"]
    make_product(name="Leather Care Kit", category=shop["kitchen"], stocks=[0])
    assert found("leather") == ["City Leather Parka", "Leather Care Kit", "Studio Café Mug"]


def test_in_stock_comes_before_sold_out_and_then_the_shoppers_sort(shop):
    make_product(name="Budget Wool Sweater", category=shop["knitwear"], prices=("5.00",))
    by_price = catalog_queries.product_listing(
        state=resolve(), filters=catalog_queries.CatalogFilters(q="sweater", sort="price")
    )
    assert [c.name for c in by_price.products] == [
        "Budget Wool Sweater",
        "Classic Wool Sweater",
        "Heritage Wool Sweater",
    ]


def test_stop_words_alone_find_nothing_and_cost_nothing(shop, django_assert_num_queries):
    with django_assert_num_queries(0):
        plan = search_queries.interpret("the and of")
    assert not plan.match.can_match


def test_unpublished_products_are_not_suggested_as_corrections(shop):
    secret = make_product(name="Zephyrine Collab Sneaker", category=shop["coats"])
    secret.status = Product.Status.DRAFT
    secret.save()
    assert search_queries.interpret("zephyrin").suggestion is None
    assert found("zephyrine") == []


# The results page --------------------------------------------------------------------------


def test_the_results_page_marks_the_matched_words_and_escapes_the_rest(client, shop):
    make_product(name="<b>Bold</b> Parka", category=shop["coats"])
    html = client.get("/catalog/", {"q": "leather parka"}).content.decode()
    assert 'class="product-card__name">City <mark>Leather</mark> <mark>Parka</mark></span>' in html
    html = client.get("/catalog/", {"q": "parka"}).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; <mark>Parka</mark>" in html
    # The homepage and catalog without a search mark nothing.
    assert "<mark>" not in client.get("/catalog/").content.decode()


def test_facets_counts_and_filters_apply_to_search_results(client, shop):
    html = client.get("/catalog/", {"q": "parka", "colour": "black"}).content.decode()
    assert "2 products" in html
    assert re.search(r'value="leather">\s*<label[^>]*>Leather <span class="count">\(1\)', html)
    html = client.get("/catalog/coats/", {"q": "wool"}, headers=HTMX).content.decode()
    assert card_names(html) == ["Trail Wool Parka"]


# Suggestions as the shopper types ----------------------------------------------------------


def test_suggestions_with_htmx_are_a_listbox_of_products_categories_and_all_results(client, shop):
    response = client.get("/search/suggest/", {"q": "lether"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        '<div id="search-suggestions" class="suggestions" role="listbox"'
    )
    assert "<html" not in html
    options = re.findall(r'<a role="option" id="([^"]+)"[^>]*href="([^"]+)"', html)
    parka = shop["parka"]
    assert options == [
        (f"suggestion-product-{parka.pk}", parka.get_absolute_url()),
        (f"suggestion-product-{shop['mug'].pk}", shop["mug"].get_absolute_url()),
        ("suggestion-category-1", "/catalog/coats/?q=lether"),
        ("suggestion-category-2", "/catalog/kitchen/?q=lether"),
        ("suggestion-all", "/catalog/?q=lether"),
    ]
    assert 'tabindex="-1" aria-selected="false"' in html
    assert "City <mark>Leather</mark> Parka" in html and "£200.00" in html
    assert "2 products and 2 categories suggested" in html
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= {
        v.strip() for v in response["Vary"].split(",")
    }


def test_no_suggestions_is_a_hidden_empty_list_that_says_so(client, shop):
    html = client.get("/search/suggest/", {"q": "xyzzy"}, headers=HTMX).content.decode()
    assert html.strip() == (
        '<div id="search-suggestions" class="suggestions" hidden><span data-announce>'
        "No suggestions for “xyzzy”.</span></div>"
    )
    empty = client.get("/search/suggest/", {"q": " "}, headers=HTMX).content.decode()
    assert empty.strip() == '<div id="search-suggestions" class="suggestions" hidden></div>'


def test_suggestions_without_javascript_are_a_page_of_links(client, shop):
    response = client.get("/search/suggest/", {"q": "parka"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "<h1>Suggestions for “parka”</h1>" in html
    assert 'role="option"' not in html and 'role="listbox"' not in html
    assert f'<a class="suggestion" href="{shop["parka"].get_absolute_url()}">' in html
    assert '<a href="/catalog/?q=parka">See all results for “parka”</a>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_suggestions_are_the_same_for_every_visitor(shop):
    from django.test import Client

    anonymous, customer = Client(), Client()
    customer.force_login(UserFactory())
    customer.post("/cart/add/", {"variant": shop["parka"].variants.get().pk, "quantity": 1})
    answers = {
        c.get("/search/suggest/", {"q": "parka"}, headers=HTMX).content
        for c in (anonymous, customer)
    }
    assert len(answers) == 1
    assert b"csrf" not in next(iter(answers)).lower()


def test_a_search_longer_than_the_box_allows_is_a_400_without_suggestions(client, shop):
    response = client.get("/search/suggest/", {"q": "parka " * 30}, headers=HTMX)
    assert response.status_code == 400
    assert 'role="option"' not in response.content.decode()
    assert client.post("/search/suggest/", {"q": "parka"}).status_code == 405


def test_the_header_search_box_is_a_plain_form_to_the_catalog_that_htmx_enhances(client, shop):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="header-search".*?</form>', html, re.S).group()
    assert 'method="get" action="/catalog/"' in form and 'name="q"' in form
    assert 'hx-get="/search/suggest/"' in form and 'hx-sync="this:replace"' in form
    assert 'role="combobox"' not in form  # site.js adds the combobox's ARIA with its keys
    assert '<div id="search-suggestions" class="suggestions" hidden></div>' in form


# The zero-result report ---------------------------------------------------------------------


def test_searches_that_find_nothing_are_counted_without_personal_data(client, shop):
    client.get("/catalog/", {"q": "Xyzzy  Gadget"})
    client.get("/catalog/", {"q": "xyzzy gadget"}, headers=HTMX)
    client.get("/catalog/", {"q": "parka"})  # found something
    client.get("/catalog/", {"q": "xyzzy", "colour": "black"})  # other filters: not a miss
    client.get("/catalog/coats/", {"q": "mug"})  # a category: not a miss of the search
    client.get("/search/suggest/", {"q": "qwerty"}, headers=HTMX)  # still typing
    row = ZeroResultSearch.objects.get()
    assert (row.query, row.count) == ("xyzzy gadget", 2)
    assert row.last_seen >= row.first_seen
    assert {f.name for f in ZeroResultSearch._meta.fields} == {
        "id",
        "query",
        "count",
        "first_seen",
        "last_seen",
    }


def test_a_report_that_cannot_be_written_never_fails_the_search(client, shop, monkeypatch):
    monkeypatch.setattr(search_service, "ZERO_RESULTS_SQL", "SELECT broken_statement(")
    response = client.get("/catalog/", {"q": "xyzzy"})
    assert response.status_code == 200
    assert "No products match these filters" in response.content.decode()
    assert list(Product.objects.search("parka"))  # the connection is still usable


def test_the_admin_turns_a_search_that_found_nothing_into_a_synonym(admin_client, shop):
    search_service.record_zero_results(text="Pullover")
    row = ZeroResultSearch.objects.get()
    changelist = admin_client.get("/admin/shop/zeroresultsearch/").content.decode()
    assert "pullover" in changelist and "Add a synonym" in changelist
    response = admin_client.post(
        "/admin/shop/zeroresultsearch/",
        {"action": "add_synonym", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/shop/searchsynonym/add/?terms=pullover%2C+"
    form = admin_client.get(response["Location"]).content.decode()
    assert 'value="pullover, "' in form
    admin_client.post(response["Location"], {"terms": "pullover, sweater"})
    assert SearchSynonym.objects.get().terms == "pullover,sweater"
    assert not ZeroResultSearch.objects.exists()  # it finds something now
    assert found("pullover") == ["Classic Wool Sweater", "Heritage Wool Sweater"]


def test_a_synonym_needs_two_terms_and_a_pin_a_real_word(admin_client, shop):
    response = admin_client.post("/admin/shop/searchsynonym/add/", {"terms": "jumper, Jumper"})
    assert "Give at least two different words or phrases." in response.content.decode()
    response = admin_client.post(
        "/admin/shop/searchpin/add/",
        {"query": "the", "product": shop["mug"].pk, "position": 0},
    )
    assert "Give a search with at least one real word." in response.content.decode()


# Query budgets, at two catalog sizes --------------------------------------------------------


def grow(shop, count: int) -> None:
    for i in range(count):
        make_product(
            name=f"Wool Parka {i}",
            category=shop["coats"],
            prices=("90.00", "95.00"),
            attributes=[("colour", "black" if i % 2 else "navy"), ("material", "wool")],
        )


CATALOG_PAGE = 8  # test_catalog_views.test_catalog_query_budget_holds_at_two_sizes (cold)
LISTING = 0  # a listing once the catalog index is built: counts, order and cards from it


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/catalog/?q=wool+parka", {}),
        ("/catalog/?q=wol+parka&colour=black&sort=price", {}),
        ("/catalog/coats/?q=parka&in_stock=1", HTMX),
    ],
    ids=["search", "typo-filtered", "fragment"],
)
def test_a_search_costs_one_query_more_than_the_catalog_page(
    client, shop, django_assert_max_num_queries, url, headers, warm_footer, settings
):
    """The products a search matches, with their relevance, are one query more than a listing;
    the first time a text is seen, reading what it means (its plan, kept per catalog
    generation) is one more."""
    settings.PUBLIC_PAGE_CACHE = False  # the page itself, not its cached copy
    with django_assert_max_num_queries(CATALOG_PAGE + 2):
        assert client.get(url, headers=headers).status_code == 200
    with django_assert_max_num_queries(LISTING + 1):
        assert client.get(url, headers=headers).status_code == 200
    grow(shop, 30)
    with django_assert_max_num_queries(CATALOG_PAGE + 2):
        response = client.get(url, headers=headers)
    assert response.content.decode().count('class="product-card"') > 10
    with django_assert_max_num_queries(LISTING + 1):
        assert client.get(url, headers=headers).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_search_that_finds_nothing_stays_in_the_budget_with_its_report(client, warm_footer):
    """Measured outside a test transaction, as served: the report's upsert is one statement
    (inside a test transaction its savepoint would add two). A search that finds nothing has no
    cards: it costs its plan (the first time) and the report; every one is counted, none is
    served from the cache."""
    shop = {"coats": CategoryFactory(name="Coats", slug="coats")}
    make_product(name="Wool Parka", category=shop["coats"])
    client.get("/catalog/")  # the catalog index
    for size in (1, 31):
        grow(shop, size - 1)
        client.get("/catalog/")
        for _attempt in range(2):
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/catalog/", {"q": f"xyzzy{size}"}).status_code == 200
            # The plan (the first time) and the report's upsert (BEGIN, INSERT, COMMIT).
            assert len(captured) <= LISTING + 4, [q["sql"][:80] for q in captured]
    assert list(ZeroResultSearch.objects.order_by("query").values_list("query", "count")) == [
        ("xyzzy1", 2),
        ("xyzzy31", 2),
    ]


@pytest.mark.parametrize("text", ["parka", "wol par", "gift"])
def test_a_suggestion_costs_at_most_two_queries(
    client, shop, django_assert_max_num_queries, text, warm_releases
):
    SearchPin.objects.create(query="gift", product=shop["mug"])
    with django_assert_max_num_queries(2):
        client.get("/search/suggest/", {"q": text}, headers=HTMX)
    grow(shop, 30)
    with django_assert_max_num_queries(2):
        response = client.get("/search/suggest/", {"q": text}, headers=HTMX)
    assert response.content.decode().count('class="suggestion"') >= 1
    with django_assert_max_num_queries(1):  # the plan is cached now
        client.get("/search/suggest/", {"q": text}, headers=HTMX)

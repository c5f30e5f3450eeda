"""The catalog read models: what they return, and that their query count never grows with data."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.models import Category, Product
from shop.moment.resolve import resolve
from shop.queries.catalog import (
    CatalogFilters,
    UnknownCategory,
    product_detail,
    product_listing,
)
from tests.factories import CategoryFactory, ProductImageFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def clothing():
    """Clothing > Shirts, Clothing > Knitwear, and Home, with a few products each."""
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    knitwear = CategoryFactory(name="Knitwear", slug="knitwear", parent=clothing)
    home = CategoryFactory(name="Home", slug="home")
    make_product(
        name="Red Linen Shirt",
        category=shirts,
        prices=("30.00", "35.00"),
        stocks=[0, 4],
        attributes=[("colour", "red"), ("material", "linen")],
    )
    make_product(
        name="Blue Linen Shirt",
        category=shirts,
        prices=("32.00",),
        stocks=[0],
        attributes=[("colour", "blue"), ("material", "linen")],
    )
    make_product(
        name="Red Wool Jumper",
        category=knitwear,
        prices=("80.00",),
        attributes=[("colour", "red"), ("material", "wool")],
    )
    make_product(name="Blue Mug", category=home, prices=("8.00",), attributes=[("colour", "blue")])
    return {"clothing": clothing, "shirts": shirts, "knitwear": knitwear, "home": home}


def names(listing) -> set[str]:
    return {p.name for p in listing.products}


def facet_counts(listing, slug: str) -> dict[str, int]:
    facet = next(f for f in listing.facets if f.slug == slug)
    return {v.slug: v.count for v in facet.values}


def test_a_category_lists_its_whole_subtree_with_rolled_up_counts(clothing):
    listing = product_listing(state=resolve(), filters=CatalogFilters(), category_slug="clothing")
    assert names(listing) == {"Red Linen Shirt", "Blue Linen Shirt", "Red Wool Jumper"}
    assert listing.total == 3
    counts = {link.category.slug: link.count for link in listing.categories}
    # Roots always, plus the children of the chosen category; counts include descendants.
    assert counts == {"clothing": 3, "shirts": 2, "knitwear": 1, "home": 1}
    assert [c.slug for c in listing.breadcrumbs] == ["clothing"]
    assert (listing.price_low, listing.price_high) == (Decimal("30.00"), Decimal("80.00"))


def test_unknown_category_raises():
    with pytest.raises(UnknownCategory):
        product_listing(state=resolve(), filters=CatalogFilters(), category_slug="nope")


def test_facet_counts_ignore_their_own_selection_but_apply_the_others(clothing):
    listing = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"colour": ("red",)})
    )
    assert names(listing) == {"Red Linen Shirt", "Red Wool Jumper"}
    # Colour is counted without the colour filter: picking red still says how many are blue.
    assert facet_counts(listing, "colour") == {"red": 2, "blue": 2}
    # Material is counted among red products only.
    assert facet_counts(listing, "material") == {"linen": 1, "wool": 1}


def test_two_values_of_one_attribute_are_or_and_two_attributes_are_and(clothing):
    either = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"colour": ("red", "blue")})
    )
    assert either.total == 4
    both = product_listing(
        state=resolve(),
        filters=CatalogFilters(attributes={"colour": ("blue",), "material": ("linen",)}),
    )
    assert names(both) == {"Blue Linen Shirt"}


def test_price_stock_and_search_filters(clothing):
    cheap = product_listing(state=resolve(), filters=CatalogFilters(max_price=Decimal("31")))
    assert names(cheap) == {"Red Linen Shirt", "Blue Mug"}
    in_stock = product_listing(state=resolve(), filters=CatalogFilters(in_stock=True))
    assert "Blue Linen Shirt" not in names(in_stock)
    assert names(product_listing(state=resolve(), filters=CatalogFilters(q="linen red"))) == {
        "Red Linen Shirt"
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Blue Mug", "Red Linen Shirt", "Blue Linen Shirt", "Red Wool Jumper"]),
        ("-price", ["Red Wool Jumper", "Blue Linen Shirt", "Red Linen Shirt", "Blue Mug"]),
        ("name", ["Blue Linen Shirt", "Blue Mug", "Red Linen Shirt", "Red Wool Jumper"]),
    ],
)
def test_sorting(clothing, sort, expected):
    listing = product_listing(state=resolve(), filters=CatalogFilters(sort=sort))
    assert [p.name for p in listing.products] == expected


def test_cards_carry_price_range_and_availability(clothing):
    listing = product_listing(state=resolve(), filters=CatalogFilters(q="shirt", sort="name"))
    # Search results put what is in stock first (tests/shop/test_search.py), then the sort.
    red, blue = listing.products
    assert (red.min_price, red.max_price) == (Decimal("30.00"), Decimal("35.00"))
    assert red.availability.message == "Only 4 left"
    assert blue.availability.message == "Sold out"


def test_filtering_by_a_colour_shows_each_card_in_that_colour(clothing):
    """A jumper made in grey and red: filtering by red shows its red picture and links to it
    with red chosen; unfiltered, its primary (grey) picture and its plain address."""
    jumper = make_product(
        name="Two-tone Jumper",
        category=Category.objects.get(slug="knitwear"),
        attributes=[("colour", "red"), ("colour", "grey")],
    )
    jumper.images.update(options={"colour": "Grey"})
    ProductImageFactory(product=jumper, alt="In red", is_primary=False, options={"colour": "Red"})
    red = product_listing(state=resolve(), filters=CatalogFilters(attributes={"colour": ("red",)}))
    card = next(c for c in red.products if c.name == "Two-tone Jumper")
    assert card.primary_image.alt == "In red"
    assert card.url == f"{jumper.get_absolute_url()}?colour=Red"
    plain = next(
        c
        for c in product_listing(state=resolve(), filters=CatalogFilters()).products
        if c.pk == jumper.pk
    )
    assert plain.primary_image.is_primary and plain.url == jumper.get_absolute_url()
    # A product made in one colour keeps its primary picture.
    shirt = next(c for c in red.products if c.name == "Red Linen Shirt")
    assert shirt.primary_image.is_primary


def test_unknown_attribute_value_matches_nothing_and_says_so(clothing):
    listing = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"colour": ("tartan",)})
    )
    assert listing.total == 0
    assert any("tartan" in n for n in listing.notices)


def test_unrelated_query_keys_are_ignored(clothing):
    listing = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"utm_source": ("mail",)})
    )
    assert listing.total == 4
    assert listing.notices == []


def test_a_page_past_the_end_is_empty_and_explained(clothing, settings):
    settings.CATALOG_PAGE_SIZE = 2
    listing = product_listing(state=resolve(), filters=CatalogFilters(page=99999))
    assert listing.products == []
    assert listing.page_out_of_range
    assert "2 pages" in listing.notices[0]


def test_product_detail_has_variants_images_attributes_and_availability(clothing):
    detail = product_detail(state=resolve(), slug=Product.objects.get(name="Red Linen Shirt").slug)
    assert [v.price for v in detail.variants] == [Decimal("30.00"), Decimal("35.00")]
    assert detail.availability.message == "Only 4 left"
    assert detail.chosen == detail.variants[1]  # the first one is sold out: chosen by default
    assert {a.value.slug for a in detail.attributes} == {"red", "linen"}
    assert [c.slug for c in detail.breadcrumbs] == ["clothing", "shirts"]


def test_product_detail_refuses_unpublished_products(clothing):
    product = Product.objects.get(name="Blue Mug")
    product.status = Product.Status.DRAFT
    product.save()
    with pytest.raises(Product.DoesNotExist):
        product_detail(state=resolve(), slug=product.slug)


# Query budgets: the same number of queries at two data sizes.


def grow_catalog(categories: dict, count: int) -> None:
    for i in range(count):
        make_product(
            name=f"Extra {i}",
            category=categories["shirts" if i % 2 else "home"],
            prices=("10.00", "12.00", "14.00"),
            attributes=[("colour", "red" if i % 3 else "blue"), ("material", "linen")],
        )


def count_queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


FILTERED = CatalogFilters(
    attributes={"colour": ("red",), "material": ("linen",)}, in_stock=True, min_price=Decimal("5")
)


@pytest.mark.parametrize("filters", [CatalogFilters(), FILTERED], ids=["plain", "filtered"])
def test_listing_query_count_does_not_grow_with_the_catalog(
    clothing, settings, filters, warm_releases
):
    """Seven queries build the catalog index (once per catalog change, in each process); then
    a listing, its counts and its cards cost none."""
    settings.CATALOG_PAGE_SIZE = 24
    listing = lambda: product_listing(state=resolve(), filters=filters, category_slug="clothing")  # noqa: E731
    small = (count_queries(listing), count_queries(listing))
    grow_catalog(clothing, 40)
    large = (count_queries(listing), count_queries(listing))
    assert small == large == (7, 0)


def test_product_detail_query_count_does_not_grow(clothing, warm_releases):
    slug = Product.objects.get(name="Red Linen Shirt").slug
    small = count_queries(lambda: product_detail(state=resolve(), slug=slug))
    product = Product.objects.get(slug=slug)
    for i in range(10):
        make_product(name=f"Sibling {i}", category=clothing["shirts"])
        product.variants.create(sku=f"EXTRA-{i}", name=f"Extra {i}", price=Decimal("9.00"))
    large = count_queries(lambda: product_detail(state=resolve(), slug=slug))
    assert small == large <= 5


# Cached counts: exact, because every change to what they count invalidates them.


def test_a_new_filter_state_costs_no_query(clothing):
    """Counts and cards come from the catalog index: a filter state never asked for costs no
    query."""
    product_listing(state=resolve(), filters=CatalogFilters())
    for filters in (
        CatalogFilters(attributes={"colour": ("red",)}, in_stock=True),
        CatalogFilters(max_price=Decimal("33.33"), sort="price"),
        CatalogFilters(min_price=Decimal("1"), attributes={"material": ("linen",)}),
    ):
        assert count_queries(lambda f=filters: product_listing(state=resolve(), filters=f)) == 0


def test_saving_a_product_refreshes_the_counts(clothing):
    before = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"colour": ("red",)})
    )
    make_product(name="Red Scarf", category=clothing["knitwear"], attributes=[("colour", "red")])
    after = product_listing(
        state=resolve(), filters=CatalogFilters(attributes={"colour": ("red",)})
    )
    assert after.total == before.total + 1
    assert facet_counts(after, "colour")["red"] == facet_counts(before, "colour")["red"] + 1


def test_selling_the_last_unit_refreshes_the_in_stock_counts(
    clothing, django_capture_on_commit_callbacks
):
    from shop.models import Variant
    from tests.factories import ShippingMethodFactory, sell

    ShippingMethodFactory()
    in_stock = CatalogFilters(in_stock=True)
    assert (
        product_listing(state=resolve(), filters=in_stock).total == 3
    )  # the blue shirt is sold out
    jumper = Variant.objects.get(product__name="Red Wool Jumper")
    sell(jumper, jumper.stock, django_capture_on_commit_callbacks)
    assert product_listing(state=resolve(), filters=in_stock).total == 2


def test_the_admin_publish_action_refreshes_the_counts(clothing, admin_client):
    assert (
        product_listing(state=resolve(), filters=CatalogFilters()).total == 4
    )  # counted and cached
    mug = Product.objects.get(name="Blue Mug")
    admin_client.post("/admin/shop/product/", {"action": "unpublish", "_selected_action": [mug.pk]})
    assert product_listing(state=resolve(), filters=CatalogFilters()).total == 3

"""The homepage read models: cached live layout, visibility windows, invalidation, budgets."""

import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from shop.models import Layout
from shop.moment import links
from shop.moment.resolve import resolve
from shop.queries import layout as layout_queries
from shop.services import layout as layout_services
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    VariantFactory,
    make_editor,
    make_live_layout,
    make_product,
)

pytestmark = pytest.mark.django_db

HEADING = re.compile(r"<h2[^>]*>(.*?)</h2>", re.S)
CARD_NAME = re.compile(r'<span class="product-card__name">(.*?)</span>')


def html_of(homepage) -> str:
    return "".join(block.html for region in homepage.regions for block in region.blocks)


def headings(homepage) -> list[str]:
    return HEADING.findall(html_of(homepage))


def card_names(homepage) -> list[str]:
    return CARD_NAME.findall(html_of(homepage))


def main_of(response) -> str:
    """The page's <main>: the rest carries a fresh CSP nonce on every response."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def cached_values() -> list:
    """Everything this test run's cache holds (our key prefix only)."""
    return list(cache.get_many(cache.keys("*")).values()) if hasattr(cache, "keys") else []


def test_live_homepage_shows_the_active_blocks_by_region():
    make_live_layout(
        {"kind": "rich_text", "heading": "Bottom words", "region": "bottom"},
        {"kind": "hero", "heading": "Hero"},
        {"kind": "promo_banner", "heading": "Hidden promo", "region": "top", "active": False},
        {"kind": "promo_banner", "heading": "Top promo", "region": "top"},
    )
    homepage = layout_queries.live_homepage(state=resolve())
    assert [r.slug for r in homepage.regions] == ["top", "main", "bottom"]
    assert headings(homepage) == ["Top promo", "Hero", "Bottom words"]


def test_visibility_windows_apply_at_render_time_even_from_the_cache(django_assert_num_queries):
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    make_live_layout(
        {"kind": "hero", "heading": "Always"},
        {"kind": "promo_banner", "heading": "Flash sale", "starts_at": now + hour,
         "ends_at": now + 2 * hour},
        {"kind": "promo_banner", "heading": "Until noon", "ends_at": now + hour},
    )  # fmt: skip
    assert headings(layout_queries.live_homepage(state=resolve(at=now))) == ["Always", "Until noon"]
    with django_assert_num_queries(0):  # The same cached render serves every moment.
        assert headings(layout_queries.live_homepage(state=resolve(at=now + 1.5 * hour))) == [
            "Always",
            "Flash sale",
        ]
        assert headings(layout_queries.live_homepage(state=resolve(at=now + 3 * hour))) == [
            "Always"
        ]


def test_publishing_invalidates_the_cached_homepage(django_capture_on_commit_callbacks):
    layout = make_live_layout({"kind": "hero", "heading": "Old hero"})
    assert headings(layout_queries.live_homepage(state=resolve())) == ["Old hero"]
    editor = make_editor()
    key = layout.blocks.get().key
    layout_services.update_block(user=editor, key=key, fields={"heading": "New hero"})
    assert headings(layout_queries.live_homepage(state=resolve())) == ["Old hero"]  # Draft only.

    with django_capture_on_commit_callbacks(execute=True):
        layout_services.publish_draft(user=editor)

    assert headings(layout_queries.live_homepage(state=resolve())) == ["New hero"]


def test_drafts_never_reach_the_live_homepage_or_the_cache(django_assert_num_queries):
    layout = make_live_layout({"kind": "hero", "heading": "Live hero"})
    layout_queries.live_homepage(state=resolve())  # Warm.
    editor = make_editor()
    layout_services.update_block(
        user=editor, key=layout.blocks.get().key, fields={"heading": "Secret draft"}
    )
    editor_view = layout_queries.homepage_editor(user=editor)
    assert "Secret draft" in editor_view.blocks[0].html
    draft = Layout.objects.drafts().get()
    assert headings(layout_queries.draft_homepage(state=resolve(), draft=draft)) == ["Secret draft"]

    with django_assert_num_queries(0):
        assert headings(layout_queries.live_homepage(state=resolve())) == ["Live hero"]
    assert cached_values(), "the live homepage should be cached"
    assert not any("Secret draft" in repr(value) for value in cached_values())


def test_changing_a_featured_product_invalidates_the_homepage(django_capture_on_commit_callbacks):
    product = make_product(name="Linen Shirt", prices=("30.00",))
    make_live_layout({"kind": "featured_products", "heading": "Picks", "products": [product]})
    assert card_names(layout_queries.live_homepage(state=resolve())) == ["Linen Shirt"]

    with django_capture_on_commit_callbacks(execute=True):
        product.name = "Linen Overshirt"
        product.save()
    assert card_names(layout_queries.live_homepage(state=resolve())) == ["Linen Overshirt"]

    with django_capture_on_commit_callbacks(execute=True):
        variant = product.variants.get()
        variant.price = "24.50"
        variant.save()
    assert "£24.50" in html_of(layout_queries.live_homepage(state=resolve()))

    with django_capture_on_commit_callbacks(execute=True):
        product.status = product.Status.DRAFT
        product.save()
    assert (
        card_names(layout_queries.live_homepage(state=resolve())) == []
    )  # Unpublished: it drops out.


def test_rule_based_rails_pick_the_newest_published_products_in_stock():
    now = timezone.now()
    clothing = CategoryFactory(name="Clothing")
    shirts = CategoryFactory(name="Shirts", parent=clothing)
    make_product(name="Old shirt", category=shirts, created=now - timezone.timedelta(days=3))
    make_product(name="New shirt", category=shirts, created=now - timezone.timedelta(days=1))
    make_product(name="Sold-out shirt", category=shirts, stocks=[0], created=now)
    make_product(name="Mug", attributes=[("colour", "red")], created=now)
    ProductFactory(name="Draft shirt", category=shirts, status="draft")
    red = make_product(name="Red scarf", category=clothing, attributes=[("colour", "red")])
    make_live_layout(
        {"kind": "featured_products", "heading": "Clothing", "product_source": "category",
         "rule_category": clothing, "product_count": 2},
        {"kind": "featured_products", "heading": "Red things", "product_source": "attribute",
         "rule_attribute_value": red.attributes.get().value, "product_count": 8},
    )  # fmt: skip
    homepage = layout_queries.live_homepage(state=resolve())
    rails = homepage.regions[1].blocks
    assert CARD_NAME.findall(rails[0].html) == ["Red scarf", "New shirt"]
    # The scarf is red too, but the rail above shows it already.
    assert CARD_NAME.findall(rails[1].html) == ["Mug"]


def test_rails_show_a_product_once_and_whole_rows():
    now = timezone.now()
    products = [
        make_product(name=f"Product {i}", created=now - timezone.timedelta(hours=i))
        for i in range(12)
    ]
    make_live_layout(
        {"kind": "featured_products", "heading": "Picks", "products": products[1:3]},
        {"kind": "featured_products", "heading": "Hidden", "products": products[3:5],
         "active": False},
        {"kind": "featured_products", "heading": "New", "product_source": "category",
         "product_count": 6},
        {"kind": "featured_products", "heading": "More", "product_source": "category",
         "product_count": 8},
    )  # fmt: skip
    rails = layout_queries.live_homepage(state=resolve()).regions[1].blocks
    picks, new, more = (CARD_NAME.findall(rail.html) for rail in rails)
    assert picks == ["Product 1", "Product 2"]  # fewer than a row: all of them
    # Six are wanted, four fill a row: the newest not shown above (the hidden rail claims none).
    assert new == ["Product 0", "Product 3", "Product 4", "Product 5"]
    assert more == [f"Product {i}" for i in range(6, 10)]  # six are left: one whole row


def build_catalog_and_layout(size: int) -> None:
    categories = [CategoryFactory(), CategoryFactory()]
    products = [
        make_product(category=categories[i % 2], attributes=[("colour", "red")])
        for i in range(size)
    ]
    for product in products[: size // 2]:
        VariantFactory(product=product, price="99.00")
    make_live_layout(
        {"kind": "promo_banner", "heading": "Promo", "region": "top"},
        {"kind": "hero", "heading": "Hero"},
        {"kind": "featured_products", "heading": "Picks", "products": products[:3]},
        {"kind": "featured_products", "heading": "New", "product_source": "category",
         "rule_category": categories[0], "product_count": 8},
        {"kind": "featured_products", "heading": "Red", "product_source": "attribute",
         "rule_attribute_value": products[0].attributes.get().value, "product_count": 8},
        {"kind": "category_grid", "heading": "Grid"},
        {"kind": "category_grid", "heading": "Chosen", "categories": categories},
        {"kind": "rich_text", "heading": "Words", "region": "bottom"},
    )  # fmt: skip


# Cold: the live layout, its blocks, their chosen products and categories, two rule rails, the
# products shown with their prices, their images, the top-level categories; and the cache
# token's row when its cached copy has expired too (shop.cache_tokens).
COLD_HOMEPAGE = 10
# What the page around the blocks may cost (the header's badges), whatever the homepage holds.
PAGE_CHROME = 2


@pytest.mark.parametrize("size", [3, 40])
def test_the_homepage_read_model_costs_a_fixed_number_of_queries(
    size, django_assert_max_num_queries, django_assert_num_queries, warm_releases
):
    build_catalog_and_layout(size)
    with django_assert_max_num_queries(COLD_HOMEPAGE):
        cold = layout_queries.live_homepage(state=resolve())
    with django_assert_num_queries(0):
        assert html_of(layout_queries.live_homepage(state=resolve())) == html_of(cold)


@pytest.mark.parametrize("size", [3, 40])
def test_the_homepage_page_costs_a_fixed_number_of_queries(
    client, size, django_assert_max_num_queries, warm_footer
):
    build_catalog_and_layout(size)
    with django_assert_max_num_queries(COLD_HOMEPAGE + PAGE_CHROME):
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_max_num_queries(PAGE_CHROME):
        warm = client.get("/")
    assert main_of(warm) == main_of(response)
    names = CARD_NAME.findall(main_of(warm))
    assert len(names) == len(set(names)) == (3 if size == 3 else 3 + 8 + 8)  # each product once


def test_with_the_cache_off_every_request_renders_from_the_database(
    client, settings, django_assert_num_queries
):
    settings.HOMEPAGE_CACHE_SECONDS = 0
    make_live_layout({"kind": "hero", "heading": "Hero"})
    client.get("/")
    # The live layout, its blocks, their chosen products and categories: every time.
    with django_assert_num_queries(4):
        assert b"Hero" in client.get("/").content


def test_the_editor_marks_what_changed_against_live():
    layout = make_live_layout(
        {"kind": "hero", "heading": "Hero"},
        {"kind": "rich_text", "heading": "Words"},
        {"kind": "promo_banner", "heading": "Promo"},
        {"kind": "category_grid", "heading": "Grid"},
    )
    editor = make_editor()
    key = {b.heading: b.key for b in layout.blocks.all()}
    assert layout_queries.homepage_editor(user=editor).changes == 0

    layout_services.update_block(user=editor, key=key["Hero"], fields={"heading": "New hero"})
    layout_services.move_block(user=editor, key=key["Grid"], position=3)
    layout_services.remove_block(user=editor, key=key["Words"])
    layout_services.add_block(user=editor, kind="custom_html", region="bottom")

    view = layout_queries.homepage_editor(user=editor)
    statuses = {item.label: item.status for item in view.blocks}
    assert statuses == {
        "Hero banner: New hero": "changed",
        "Promotional banner: Promo": "unchanged",  # Second before and after.
        "Category grid: Grid": "moved",
        "Custom HTML": "new",
    }
    assert [item.label for item in view.removed] == ["Rich text: Words"]
    assert view.changes == 4
    hero = view.item(str(key["Hero"]))
    assert "Hero" in hero.live_html and "New hero" in hero.html


def test_preview_links_name_a_draft_until_they_expire_or_the_draft_goes():
    layout = make_live_layout({"kind": "hero", "heading": "Hero"})
    editor = make_editor()
    layout_services.set_block_active(user=editor, key=layout.blocks.get().key, active=False)
    draft = Layout.objects.drafts().get()
    now = timezone.now()
    link = links.preview_link(draft=draft, now=now)

    target = links.read_preview_link(token=link.token, of_draft=True, now=now)
    assert (target.draft, target.expires_at) == (draft, link.expires_at)
    assert not target.shows_store and target.release is None
    tampered = link.token[:-2] + ("AA" if not link.token.endswith("AA") else "BB")
    for token in (tampered, "nonsense", ""):
        with pytest.raises(links.PreviewLinkInvalid):
            links.read_preview_link(token=token, of_draft=True)
    with pytest.raises(links.PreviewLinkInvalid):
        links.read_preview_link(token=link.token, of_draft=True, now=link.expires_at)
    layout_services.discard_draft(user=editor)
    with pytest.raises(links.PreviewLinkInvalid):
        links.read_preview_link(token=link.token, of_draft=True, now=now)


def test_category_tiles_show_a_picture_of_their_newest_product():
    now = timezone.now()
    clothing = CategoryFactory(name="Clothing")
    shirts = CategoryFactory(name="Shirts", parent=clothing)
    CategoryFactory(name="Empty")
    make_product(name="Old shirt", category=shirts, created=now - timezone.timedelta(days=2))
    make_product(name="New shirt", category=shirts, created=now)
    make_live_layout({"kind": "category_grid", "heading": "Grid"})
    html = html_of(layout_queries.live_homepage(state=resolve()))
    assert html.count("<picture>") == 1  # the empty category has none
    assert 'alt=""' in html and "<img" in html

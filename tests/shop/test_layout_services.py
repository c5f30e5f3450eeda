"""Drafts (copy-on-write, one per editor), block changes, atomic publish, conflicts, revisions."""

import threading

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from shop.models import Layout, LayoutBlock
from shop.services import layout as layout_services
from tests.factories import CategoryFactory, make_editor, make_live_layout, make_product

pytestmark = pytest.mark.django_db

HERO = {"kind": "hero", "heading": "Live hero", "cta_label": "Shop", "cta_url": "/catalog/"}
PROMO = {"kind": "promo_banner", "heading": "Live promo", "region": "top"}
TEXT = {"kind": "rich_text", "heading": "Live words", "body": "<p>Hi</p>", "region": "bottom"}


def blocks_of(layout: Layout) -> list[tuple[str, str, str]]:
    """(region, kind, heading) of a layout's blocks in order."""
    return [(b.region, b.kind, b.heading) for b in layout.blocks.order_by("order", "pk")]


def live() -> Layout:
    return Layout.objects.live().get()


def key_of(layout: Layout, heading: str) -> str:
    return str(layout.blocks.get(heading=heading).key)


def rival_drafts():
    """Anna and Ben (Ben Ng) each change the live hero in a draft of their own; return them."""
    layout = make_live_layout(HERO)
    anna, ben = make_editor("anna"), make_editor("ben", first_name="Ben", last_name="Ng")
    hero_key = key_of(layout, "Live hero")
    layout_services.update_block(user=anna, key=hero_key, fields={"heading": "Anna's"})
    layout_services.update_block(user=ben, key=hero_key, fields={"heading": "Ben's"})
    return anna, ben


def test_first_change_copies_the_live_layout_into_the_editors_own_draft():
    layout = make_live_layout(PROMO, HERO, TEXT)
    editor = make_editor()
    assert not Layout.objects.drafts().exists()  # Nothing is copied until a change is made.

    hero_key = key_of(layout, "Live hero")
    layout_services.update_block(user=editor, key=hero_key, fields={"heading": "Spring sale"})

    draft = Layout.objects.drafts().get(owner=editor)
    assert draft.base_version == layout.version == 1
    assert blocks_of(draft) == [
        ("top", "promo_banner", "Live promo"),
        ("main", "hero", "Spring sale"),
        ("bottom", "rich_text", "Live words"),
    ]
    assert key_of(draft, "Spring sale") == hero_key  # Same block, same key.
    assert blocks_of(live())[1] == ("main", "hero", "Live hero")  # Live is untouched.


def test_every_editor_gets_a_separate_draft():
    anna, ben = rival_drafts()
    assert blocks_of(Layout.objects.drafts().get(owner=anna)) == [("main", "hero", "Anna's")]
    assert blocks_of(Layout.objects.drafts().get(owner=ben)) == [("main", "hero", "Ben's")]
    assert blocks_of(live()) == [("main", "hero", "Live hero")]


def test_add_move_hide_and_remove_blocks_in_the_draft():
    layout = make_live_layout(HERO, {"kind": "category_grid", "heading": "Grid"})
    editor = make_editor()
    added = layout_services.add_block(user=editor, kind="promo_banner", region="main")
    draft = Layout.objects.drafts().get(owner=editor)
    assert [b.heading for b in draft.blocks.order_by("order")] == [
        "Live hero",
        "Grid",
        "A new promotion",
    ]

    layout_services.move_block(user=editor, key=added.key, position=1)
    assert draft.blocks.order_by("order").first().heading == "A new promotion"
    layout_services.move_block(user=editor, key=added.key, position=99)  # Clamped to the end.
    assert draft.blocks.order_by("order").last().heading == "A new promotion"

    layout_services.set_block_active(user=editor, key=key_of(layout, "Grid"), active=False)
    assert draft.blocks.get(heading="Grid").active is False

    layout_services.remove_block(user=editor, key=key_of(layout, "Live hero"))
    assert [b.heading for b in draft.blocks.order_by("order")] == ["Grid", "A new promotion"]
    assert blocks_of(live()) == [("main", "hero", "Live hero"), ("main", "category_grid", "Grid")]


def test_moving_a_block_to_another_region_puts_it_at_the_end_there():
    layout = make_live_layout(PROMO, HERO, {"kind": "rich_text", "heading": "Words"})
    editor = make_editor()
    layout_services.update_block(
        user=editor, key=key_of(layout, "Live hero"), fields={"region": "top"}
    )
    draft = Layout.objects.drafts().get(owner=editor)
    assert blocks_of(draft) == [
        ("top", "promo_banner", "Live promo"),
        ("top", "hero", "Live hero"),
        ("main", "rich_text", "Words"),
    ]


def test_a_block_of_someone_elses_draft_cannot_be_touched():
    make_live_layout(HERO)
    anna, ben = make_editor("anna"), make_editor("ben")
    annas_block = layout_services.add_block(user=anna, kind="rich_text", region="main")
    for change in (
        lambda: layout_services.update_block(user=ben, key=annas_block.key, fields={"body": "x"}),
        lambda: layout_services.remove_block(user=ben, key=annas_block.key),
        lambda: layout_services.move_block(user=ben, key=annas_block.key, position=1),
        lambda: layout_services.set_block_active(user=ben, key=annas_block.key, active=False),
    ):
        with pytest.raises(layout_services.BlockNotFound):
            change()
    assert LayoutBlock.objects.get(pk=annas_block.pk).body == "<p>Write something here.</p>"


def test_fields_a_kind_does_not_have_are_refused():
    layout = make_live_layout(HERO)
    with pytest.raises(ValueError, match="no body"):
        layout_services.update_block(
            user=make_editor(), key=key_of(layout, "Live hero"), fields={"body": "<p>x</p>"}
        )


def test_publish_makes_the_draft_live_records_a_revision_and_ends_the_draft():
    layout = make_live_layout(HERO, TEXT)
    editor = make_editor()
    layout_services.update_block(
        user=editor, key=key_of(layout, "Live hero"), fields={"heading": "Spring sale"}
    )
    layout_services.remove_block(user=editor, key=key_of(layout, "Live words"))

    revision = layout_services.publish_draft(user=editor)

    assert revision.version == 2
    assert live().version == 2
    assert live().published_by == editor
    assert blocks_of(live()) == [("main", "hero", "Spring sale")]
    assert blocks_of(revision) == blocks_of(live())
    assert blocks_of(Layout.objects.revisions().get(version=1)) == [
        ("main", "hero", "Live hero"),
        ("bottom", "rich_text", "Live words"),
    ]
    assert not Layout.objects.drafts().exists()
    with pytest.raises(layout_services.NoDraft):
        layout_services.publish_draft(user=editor)


def test_publish_refuses_when_somebody_published_since_the_draft_began():
    anna, ben = rival_drafts()
    layout_services.publish_draft(user=ben)

    with pytest.raises(layout_services.LiveLayoutChanged) as refused:
        layout_services.publish_draft(user=anna)

    assert (refused.value.base_version, refused.value.live_version) == (1, 2)
    assert "Ben Ng published the homepage" in refused.value.message
    assert "Your draft is kept" in refused.value.message
    assert blocks_of(live()) == [("main", "hero", "Ben's")]  # No silent overwrite.
    assert blocks_of(Layout.objects.drafts().get(owner=anna)) == [("main", "hero", "Anna's")]

    # Having compared, Anna keeps her draft over the new live version, then it publishes.
    layout_services.rebase_draft(user=anna)
    layout_services.publish_draft(user=anna)
    assert blocks_of(live()) == [("main", "hero", "Anna's")]
    assert live().version == 3


def test_chosen_products_and_categories_travel_with_the_copies():
    shirts, mugs = CategoryFactory(name="Shirts"), CategoryFactory(name="Mugs")
    first, second = make_product(name="First"), make_product(name="Second")
    layout = make_live_layout(
        {"kind": "featured_products", "heading": "Picks", "products": [second, first]},
        {"kind": "category_grid", "heading": "Grid", "categories": [mugs, shirts]},
    )
    editor = make_editor()
    layout_services.update_block(
        user=editor, key=key_of(layout, "Grid"), fields={"heading": "Categories"}
    )
    draft = Layout.objects.drafts().get(owner=editor)
    picks = draft.blocks.get(heading="Picks")
    assert [row.product for row in picks.chosen.all()] == [second, first]
    assert set(draft.blocks.get(heading="Categories").categories.all()) == {shirts, mugs}

    layout_services.update_block(user=editor, key=picks.key, fields={"products": [first]})
    layout_services.publish_draft(user=editor)
    live_picks = live().blocks.get(heading="Picks")
    assert [row.product for row in live_picks.chosen.all()] == [first]
    # The first revision still remembers the old choice.
    old = Layout.objects.revisions().get(version=1).blocks.get(heading="Picks")
    assert [row.product for row in old.chosen.all()] == [second, first]


def test_an_earlier_revision_can_be_restored_through_a_draft():
    layout = make_live_layout(HERO)
    editor = make_editor()
    layout_services.update_block(
        user=editor, key=key_of(layout, "Live hero"), fields={"heading": "Version two"}
    )
    layout_services.publish_draft(user=editor)
    layout_services.add_block(user=editor, kind="rich_text", region="main")  # A draft exists.

    draft = layout_services.restore_revision(user=editor, version=1)

    assert blocks_of(draft) == [("main", "hero", "Live hero")]
    assert draft.base_version == 2
    layout_services.publish_draft(user=editor)
    assert blocks_of(live()) == [("main", "hero", "Live hero")]
    assert live().version == 3
    with pytest.raises(layout_services.UnknownRevision):
        layout_services.restore_revision(user=editor, version=42)


def test_discard_deletes_only_the_editors_own_draft():
    layout = make_live_layout(HERO)
    anna, ben = make_editor("anna"), make_editor("ben")
    for user in (anna, ben):
        layout_services.set_block_active(user=user, key=key_of(layout, "Live hero"), active=False)
    assert layout_services.discard_draft(user=anna) is True
    assert layout_services.discard_draft(user=anna) is False
    assert list(Layout.objects.drafts().values_list("owner__username", flat=True)) == ["ben"]


def test_the_database_refuses_a_window_that_ends_before_it_starts():
    layout = make_live_layout(HERO)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        LayoutBlock.objects.filter(layout=layout).update(
            starts_at=now, ends_at=now - timezone.timedelta(hours=1)
        )


def test_html_is_sanitised_when_a_block_is_saved():
    layout = make_live_layout({"kind": "custom_html", "body": "<p>ok</p>"})
    editor = make_editor()
    block = layout_services.update_block(
        user=editor,
        key=layout.blocks.get().key,
        fields={"body": '<p onclick="alert(1)">Hi</p><script>alert(2)</script>'},
    )
    block.refresh_from_db()
    assert block.body == "<p>Hi</p>"


# Concurrency (real threads on PostgreSQL) ---------------------------------------------------------


def run_together(*calls):
    """Run each call in its own thread (and connection), started together; return the outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # The outcome is what the test inspects.
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_at_once_never_overwrite_each_other():
    anna, ben = rival_drafts()

    outcomes = run_together(
        lambda: layout_services.publish_draft(user=anna),
        lambda: layout_services.publish_draft(user=ben),
    )

    published = [o for o in outcomes if isinstance(o, Layout)]
    refused = [o for o in outcomes if isinstance(o, layout_services.LiveLayoutChanged)]
    assert (len(published), len(refused)) == (1, 1), outcomes
    assert live().version == 2
    winner = published[0].published_by.username
    assert blocks_of(live()) == [("main", "hero", "Anna's" if winner == "anna" else "Ben's")]
    assert Layout.objects.revisions().count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_first_changes_at_once_make_one_draft():
    layout = make_live_layout(HERO, TEXT)
    editor = make_editor()
    outcomes = run_together(
        lambda: layout_services.update_block(
            user=editor, key=key_of(layout, "Live hero"), fields={"heading": "Tab one"}
        ),
        lambda: layout_services.update_block(
            user=editor, key=key_of(layout, "Live words"), fields={"heading": "Tab two"}
        ),
    )
    assert all(isinstance(o, LayoutBlock) for o in outcomes), outcomes
    draft = Layout.objects.drafts().get(owner=editor)
    assert blocks_of(draft) == [("main", "hero", "Tab one"), ("bottom", "rich_text", "Tab two")]

"""The homepage editor's views in both modes: without JavaScript (full pages, 303), and htmx."""

import io
import re

import pytest
from django.test import Client
from PIL import Image

from shop.models import Layout, LayoutBlock
from shop.services import layout as layout_services
from tests.factories import UserFactory, make_editor, make_live_layout, make_product

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def layout():
    make_product(name="Linen Shirt")
    return make_live_layout(
        {"kind": "promo_banner", "heading": "Live promo", "region": "top"},
        {"kind": "hero", "heading": "Live hero", "text": "Welcome", "cta_label": "Shop",
         "cta_url": "/catalog/"},
        {"kind": "featured_products", "heading": "New in", "product_source": "category"},
        {"kind": "rich_text", "heading": "Live words", "body": "<p>Hi</p>", "region": "bottom"},
    )  # fmt: skip


@pytest.fixture
def editor():
    return make_editor()


@pytest.fixture
def editing(client, editor) -> Client:
    """A client logged in as a homepage editor, with edit mode on."""
    client.force_login(editor)
    response = client.post("/homepage/edit/", {"state": "on"})
    assert response.status_code == 303
    return client


def key(layout, heading: str) -> str:
    return str(layout.blocks.get(heading=heading).key)


def hero_fields(**changes) -> dict:
    fields = {
        "region": "main",
        "heading": "Spring sale",
        "text": "Up to 30% off",
        "image_alt": "",
        "cta_label": "Shop the sale",
        "cta_url": "/catalog/",
    }
    return {**fields, **changes}


def vary(response) -> set[str]:
    return {v.strip() for v in response.get("Vary", "").split(",")}


def assert_private_preview(response) -> None:
    cache_control = {v.strip() for v in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "noindex" in response["X-Robots-Tag"]


def messages_in(response) -> list[str]:
    return re.findall(r'<p class="message message--\w+">(.*?)</p>', response.content.decode())


# Edit mode ---------------------------------------------------------------------------------------


def test_only_editors_are_offered_edit_mode(client, layout, editor):
    assert b"Edit homepage" not in client.get("/").content
    client.force_login(UserFactory(username="shopper"))
    assert b"Edit homepage" not in client.get("/").content
    client.force_login(UserFactory(username="clerk", is_staff=True))
    assert b"Edit homepage" not in client.get("/").content
    client.force_login(editor)
    assert b"Edit homepage" in client.get("/").content


def test_edit_mode_turns_on_and_off_without_javascript(client, layout, editor):
    client.force_login(editor)
    response = client.post("/homepage/edit/", {"state": "on"})
    assert (response.status_code, response["Location"]) == (303, "/")

    page = client.get("/")
    body = page.content.decode()
    assert "Editing the homepage" in body
    assert 'id="block-' in body and "Save draft" in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert_private_preview(page)
    assert messages_in(page) == ["Edit mode is on: your changes go into your own draft."]

    client.post("/homepage/edit/", {"state": "off"})
    page = client.get("/")
    assert b"Editing the homepage" not in page.content
    assert b"Edit homepage" in page.content


def test_edit_mode_needs_a_state(editing, layout):
    response = editing.post("/homepage/edit/", {"state": "toggle"})
    assert response.status_code == 400
    assert "Say whether to turn edit mode on or off." in messages_in(response)


# Saving a block ---------------------------------------------------------------------------------


def test_saving_a_block_without_javascript_redirects_to_the_full_page_preview(editing, layout):
    hero = key(layout, "Live hero")
    response = editing.post(f"/homepage/draft/blocks/{hero}/", hero_fields())
    assert response.status_code == 303
    assert response["Location"] == f"/#block-{hero}"

    page = editing.get("/").content.decode()
    assert "Spring sale" in page and "Live hero" not in page
    assert "You are previewing your homepage draft" in page
    assert "1 change." in page
    assert "Saved to your draft." in page
    assert Layout.objects.live().get().blocks.filter(heading="Live hero").exists()


def test_saving_a_block_with_htmx_swaps_only_its_preview(editing, layout):
    hero = key(layout, "Live hero")
    response = editing.post(f"/homepage/draft/blocks/{hero}/", hero_fields(), headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<div id="block-{hero}-preview"')
    assert "Spring sale" in body and "Live promo" not in body  # Only that block.
    assert "<html" not in body and 'id="block-' + hero + '-form"' not in body
    assert re.search(rf'<div id="block-{hero}-errors" [^>]*hx-swap-oob="true"></div>', body)
    assert re.search(r'<section id="draft-banner"[^>]*hx-swap-oob="true"', body)
    assert re.search(r'id="status-messages"[^>]*hx-swap-oob="true"', body)
    assert "Saved to your draft." in body
    assert "Changed" in body  # The block's status badge.
    assert {"HX-Request", "HX-Boosted", "HX-History-Restore-Request"} <= vary(response)
    assert_private_preview(response)


def test_a_boosted_save_gets_the_full_page_flow(editing, layout):
    hero = key(layout, "Live hero")
    response = editing.post(
        f"/homepage/draft/blocks/{hero}/", hero_fields(), headers={**HTMX, "HX-Boosted": "true"}
    )
    assert response.status_code == 303


def test_invalid_fields_save_nothing_and_say_why_with_htmx(editing, layout):
    hero = key(layout, "Live hero")
    fields = hero_fields(heading="", cta_url="javascript:alert(1)")
    response = editing.post(f"/homepage/draft/blocks/{hero}/", fields, headers=HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert body.startswith(f'<div id="block-{hero}-preview"')
    assert "Live hero" in body  # The preview still shows what is saved.
    errors = re.search(rf'<div id="block-{hero}-errors"[^>]*hx-swap-oob="true">(.*?)</div>', body)
    assert "Heading: This field is required." in errors[1]
    assert "Use a path on this shop" in errors[1]
    assert not Layout.objects.drafts().exists()


def test_invalid_fields_without_javascript_keep_what_was_typed(editing, layout):
    hero = key(layout, "Live hero")
    response = editing.post(
        f"/homepage/draft/blocks/{hero}/", hero_fields(cta_label="Go", cta_url="")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body
    assert 'value="Spring sale"' in body  # Nothing typed is lost.
    assert "Give the button both a label and a link, or neither." in body
    assert "Editing the homepage" in body
    assert not Layout.objects.drafts().exists()


def test_a_featured_rail_takes_product_links_and_reports_unknown_ones(editing, layout):
    rail = key(layout, "New in")
    shirt = make_product(name="Oxford Shirt")
    fields = {
        "region": "main",
        "heading": "Picks",
        "product_source": "chosen",
        "products": f"http://127.0.0.1/products/{shirt.slug}/\nno-such-thing",
        "rule_category": "",
        "rule_attribute_value": "",
        "product_count": "4",
    }
    response = editing.post(f"/homepage/draft/blocks/{rail}/", fields, headers=HTMX)
    assert response.status_code == 400
    assert "No product has the link “no-such-thing”." in response.content.decode()

    fields["products"] = f"/products/{shirt.slug}/"
    response = editing.post(f"/homepage/draft/blocks/{rail}/", fields, headers=HTMX)
    assert response.status_code == 200
    assert "Oxford Shirt" in response.content.decode()


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["no-js", "htmx"])
def test_an_unknown_block_is_a_404_with_a_message(editing, layout, headers):
    response = editing.post(
        "/homepage/draft/blocks/00000000-0000-0000-0000-000000000000/",
        hero_fields(),
        headers=headers,
    )
    assert response.status_code == 404
    assert "That block is not on your homepage draft any more" in response.content.decode()
    if headers:
        assert response["HX-Retarget"] == "#homepage-layout"


def test_another_editors_draft_block_is_out_of_reach(editing, layout):
    other = make_editor("someone-else")
    theirs = layout_services.add_block(user=other, kind="hero", region="main")
    for url in (
        f"/homepage/draft/blocks/{theirs.key}/",
        f"/homepage/draft/blocks/{theirs.key}/remove/",
        f"/homepage/draft/blocks/{theirs.key}/move/",
        f"/homepage/draft/blocks/{theirs.key}/visibility/",
    ):
        response = editing.post(url, {**hero_fields(), "position": "1", "state": "off"})
        assert response.status_code == 404, url
    assert LayoutBlock.objects.get(pk=theirs.pk).heading == "A new hero banner"


def test_a_post_without_its_csrf_token_is_refused(editor, layout):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"/homepage/draft/blocks/{key(layout, 'Live hero')}/", hero_fields())
    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()
    assert not Layout.objects.drafts().exists()


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff without the permission"])
def test_only_editors_may_change_the_homepage(client, layout, who):
    if who == "customer":
        client.force_login(UserFactory(username="shopper"))
    elif who != "anonymous":
        client.force_login(UserFactory(username="clerk", is_staff=True))
    hero = key(layout, "Live hero")
    for url in (
        "/homepage/edit/",
        f"/homepage/draft/blocks/{hero}/",
        "/homepage/draft/blocks/",
        "/homepage/draft/publish/",
        "/homepage/draft/share/",
        "/homepage/revisions/1/restore/",
    ):
        response = client.post(url, {**hero_fields(), "state": "on", "kind": "hero"})
        assert response.status_code == 403, url
        assert "Editing the homepage needs the homepage permission." in response.content.decode()
    response = client.get("/homepage/draft/compare/")
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    else:
        assert response.status_code == 403
    assert not Layout.objects.drafts().exists()


# Structure: add, move, hide, remove -------------------------------------------------------------


def test_adding_moving_hiding_and_removing_with_htmx_swap_the_layout(editing, layout):
    response = editing.post(
        "/homepage/draft/blocks/", {"kind": "promo_banner", "region": "main"}, headers=HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="homepage-layout"')
    assert "A new promotion" in body
    assert re.search(r'<section id="draft-banner"[^>]*hx-swap-oob="true"', body)
    assert "Added a promotional banner block to your draft." in body

    added = Layout.objects.drafts().get().blocks.get(heading="A new promotion")
    response = editing.post(
        f"/homepage/draft/blocks/{added.key}/move/", {"position": "1"}, headers=HTMX
    )
    main = Layout.objects.drafts().get().blocks.filter(region="main").order_by("order")
    assert [b.heading for b in main] == ["A new promotion", "Live hero", "New in"]

    editing.post(f"/homepage/draft/blocks/{added.key}/visibility/", {"state": "off"}, headers=HTMX)
    response = editing.post(
        f"/homepage/draft/blocks/{key(layout, 'Live words')}/remove/", headers=HTMX
    )
    body = response.content.decode()
    assert "Live words" not in body
    assert "Hidden" in body
    draft = Layout.objects.drafts().get()
    assert not draft.blocks.filter(heading="Live words").exists()
    assert draft.blocks.get(heading="A new promotion").active is False


def test_structure_changes_without_javascript_redirect_to_the_block(editing, layout):
    response = editing.post("/homepage/draft/blocks/", {"kind": "rich_text", "region": "bottom"})
    added = Layout.objects.drafts().get().blocks.get(kind="rich_text", heading="A few words")
    assert (response.status_code, response["Location"]) == (303, f"/#block-{added.key}")
    response = editing.post(f"/homepage/draft/blocks/{added.key}/move/", {"position": "x"})
    assert response.status_code == 400
    assert "Say which position to move the block to." in messages_in(response)
    response = editing.post("/homepage/draft/blocks/", {"kind": "carousel", "region": "main"})
    assert response.status_code == 400


def test_a_hero_image_can_be_uploaded_and_removed(editing, layout, settings):
    hero = key(layout, "Live hero")
    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 10, 10)).save(png, "PNG")
    png.name = "spring.png"
    png.seek(0)
    response = editing.post(f"/homepage/draft/blocks/{hero}/image/", {"image": png})
    assert (response.status_code, response["Location"]) == (303, f"/#block-{hero}")
    block = Layout.objects.drafts().get().blocks.get(kind="hero")
    assert (block.image_width, block.image_height) == (40, 20)
    assert f'src="{block.image.url}"' in editing.get("/").content.decode()

    not_an_image = io.BytesIO(b"<script>alert(1)</script>")
    not_an_image.name = "x.png"
    response = editing.post(f"/homepage/draft/blocks/{hero}/image/", {"image": not_an_image})
    assert response.status_code == 400
    assert "The image was not saved" in response.content.decode()

    editing.post(f"/homepage/draft/blocks/{hero}/image/", {"remove": "on"})
    assert not Layout.objects.drafts().get().blocks.get(kind="hero").image


# Publish, discard, conflicts, compare, share, revisions -----------------------------------------


def test_publishing_makes_the_draft_live_for_everyone(editing, layout, client):
    hero = key(layout, "Live hero")
    editing.post(f"/homepage/draft/blocks/{hero}/", hero_fields())
    response = editing.post("/homepage/draft/publish/", headers={**HTMX, "HX-Boosted": "true"})
    assert (response.status_code, response["Location"]) == (303, "/")
    page = editing.get("/").content.decode()
    assert "Published: everyone now sees version 2 of the homepage." in page
    assert "Editing the homepage" not in page  # Back to the live page.
    anonymous = Client()
    assert "Spring sale" in anonymous.get("/").content.decode()


def test_publishing_over_a_newer_live_version_is_refused(editing, layout, editor):
    hero = key(layout, "Live hero")
    editing.post(f"/homepage/draft/blocks/{hero}/", hero_fields())
    rival = make_editor("rival", first_name="Rita")
    layout_services.update_block(user=rival, key=hero, fields={"heading": "Rita's hero"})
    layout_services.publish_draft(user=rival)

    page = editing.get("/").content.decode()
    assert "The live homepage was published again (version 2, by Rita)" in page

    # The Publish form is boosted: with htmx too the refusal is the whole page, not retargeted.
    response = editing.post("/homepage/draft/publish/", headers={**HTMX, "HX-Boosted": "true"})
    assert response.status_code == 409
    assert "HX-Retarget" not in response
    body = response.content.decode()
    assert "<html" in body
    assert "Not published: Rita published the homepage" in body
    assert "Spring sale" in body  # The draft is still there.
    assert Layout.objects.live().get().blocks.get(kind="hero").heading == "Rita's hero"

    assert editing.post("/homepage/draft/rebase/").status_code == 303
    assert editing.post("/homepage/draft/publish/").status_code == 303
    assert Layout.objects.live().get().blocks.get(kind="hero").heading == "Spring sale"


def test_discarding_returns_to_the_live_layout(editing, layout):
    editing.post(f"/homepage/draft/blocks/{key(layout, 'Live hero')}/", hero_fields())
    response = editing.post("/homepage/draft/discard/")
    assert response.status_code == 303
    page = editing.get("/").content.decode()
    assert "Draft discarded" in page and "Live hero" in page and "Spring sale" not in page
    assert not Layout.objects.drafts().exists()


def test_compare_marks_the_changed_blocks(editing, layout):
    editing.post(f"/homepage/draft/blocks/{key(layout, 'Live hero')}/", hero_fields())
    editing.post(f"/homepage/draft/blocks/{key(layout, 'Live words')}/remove/")
    response = editing.get("/homepage/draft/compare/")
    assert response.status_code == 200
    assert_private_preview(response)
    body = response.content.decode()
    assert re.search(r'aria-label="Hero banner: Spring sale">.*?>Changed<', body, re.S)
    assert re.search(r'aria-label="Promotional banner: Live promo">.*?>Unchanged<', body, re.S)
    assert re.search(r'aria-label="Rich text: Live words">.*?>Removed<', body, re.S)
    assert "2 changes against live version 1." in body


def test_sharing_a_preview_link(editing, layout):
    hero = key(layout, "Live hero")
    assert editing.post("/homepage/draft/share/", headers=HTMX).status_code == 409  # No draft.

    editing.post(f"/homepage/draft/blocks/{hero}/", hero_fields())
    response = editing.post("/homepage/draft/share/", headers=HTMX)
    body = response.content.decode()
    assert body.startswith('<section id="draft-banner"')
    link = re.search(r'id="share-link" type="url" readonly value="([^"]+)"', body)[1]
    assert link.startswith("http://testserver/preview/")

    response = editing.post("/homepage/draft/share/")  # Without JavaScript.
    assert response.status_code == 303
    assert 'id="share-link"' in editing.get("/").content.decode()

    visitor = Client()
    preview = visitor.get(link)
    assert preview.status_code == 200
    assert_private_preview(preview)
    page = preview.content.decode()
    assert "Spring sale" in page and "Draft preview" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "Save draft" not in page  # A preview, not the editor.
    assert "Spring sale" not in visitor.get("/").content.decode()

    token = link.split("/preview/")[1].rstrip("/")
    payload, signature = token.split(":", 1)
    other = "A" if payload[-1] != "A" else "B"
    for tampered in (f"{payload[:-1]}{other}:{signature}", f"{payload}:{signature[:-2]}zz"):
        assert visitor.get(f"/preview/{tampered}/").status_code == 404
    editing.post("/homepage/draft/publish/")
    assert visitor.get(link).status_code == 404  # The draft is gone.


def test_revisions_can_be_listed_and_restored(editing, layout):
    editing.post(f"/homepage/draft/blocks/{key(layout, 'Live hero')}/", hero_fields())
    editing.post("/homepage/draft/publish/")
    response = editing.get("/homepage/revisions/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 (live)" in body
    assert "Restore version 1 into my draft" in body

    response = editing.post("/homepage/revisions/1/restore/")
    assert (response.status_code, response["Location"]) == (303, "/")
    page = editing.get("/").content.decode()
    assert "Version 1 is in your draft now" in page
    assert "Live hero" in page and "Spring sale" not in page
    assert editing.post("/homepage/revisions/99/restore/").status_code == 404


@pytest.mark.parametrize("size", [3, 40])
def test_the_editor_costs_a_fixed_number_of_queries(
    editing, layout, size, django_assert_max_num_queries, warm_footer
):
    for _ in range(size):
        make_product()
    editing.post(f"/homepage/draft/blocks/{key(layout, 'Live hero')}/", hero_fields())
    with django_assert_max_num_queries(16):
        response = editing.get("/")
    assert response.status_code == 200

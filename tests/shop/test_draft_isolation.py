"""Nobody but its owner ever sees a homepage draft: on any URL, as a page or as an htmx fragment.

Every route of the URLconf is requested (GET, with and without HX-Request) by an anonymous
visitor, a customer, a staff user without the homepage permission and another homepage editor
(a superuser, in edit mode, with a draft of their own). None of the responses may contain the
owner's draft. Routes with URL parameters get a meaningful sample where one is listed below (their
page then really renders) and a placeholder of the right type otherwise, so routes added later
are requested too.
"""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shop.models import Layout
from shop.moment import links
from shop.services import layout as layout_services
from tests.factories import (
    DynamicPageFactory,
    UserFactory,
    make_editor,
    make_live_layout,
    make_product,
)

pytestmark = pytest.mark.django_db

SECRET = "Secret-draft-7f3a"
HTMX = {"HX-Request": "true"}
# Routes served by something other than a view of ours.
NOT_OURS = {None}  # The unnamed media route: files on disk.


def routes(patterns=None, namespace: str | None = None):
    """(name, pattern) for every route of the URLconf except the admin's, which is tested below."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from routes(entry.url_patterns, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, entry.pattern


@pytest.fixture
def world():
    """A live homepage, an owner whose draft holds SECRET, a shared preview link, and pages."""
    product = make_product(name="Linen Shirt")
    layout = make_live_layout(
        {"kind": "hero", "heading": "Live hero"},
        {"kind": "featured_products", "heading": "Picks", "products": [product]},
    )
    owner = make_editor("owner")
    hero = layout.blocks.get(kind="hero")
    layout_services.update_block(user=owner, key=hero.key, fields={"heading": SECRET})
    added = layout_services.add_block(user=owner, kind="custom_html", region="main")
    layout_services.update_block(user=owner, key=added.key, fields={"body": f"<p>{SECRET}</p>"})
    DynamicPageFactory(slug="about", title="About us")
    draft = Layout.objects.drafts().get(owner=owner)
    return {
        "owner": owner,
        "draft": draft,
        "samples": {
            "shop:catalog-category": {"category_slug": product.category.slug},
            "shop:product-detail": {"slug": product.slug},
            "shop:homepage-block": {"key": added.key},
            "shop:homepage-block-image": {"key": hero.key},
            "shop:homepage-block-remove": {"key": added.key},
            "shop:homepage-block-move": {"key": added.key},
            "shop:homepage-block-visibility": {"key": added.key},
            "shop:homepage-revision-restore": {"version": 1},
            # A link the owner never shared: only a signed link of theirs shows a draft.
            "shop:homepage-preview": {"token": "not-a-signed-token"},
            "page": {"slug": "about"},
        },
    }


def visitor(kind: str) -> Client:
    client = Client()
    if kind == "customer":
        client.force_login(UserFactory(username="customer"))
    elif kind == "staff without the permission":
        client.force_login(UserFactory(username="clerk", is_staff=True))
    elif kind == "another editor":
        other = make_editor("other-editor", is_superuser=True)
        layout = Layout.objects.live().get()
        layout_services.update_block(
            user=other, key=layout.blocks.get(kind="hero").key, fields={"heading": "Theirs"}
        )
        client.force_login(other)
        client.post("/homepage/edit/", {"state": "on"})
    return client


PLACEHOLDERS = {"IntConverter": 1, "UUIDConverter": uuid.UUID(int=1)}


def urls(samples: dict) -> list[str]:
    found = []
    for name, pattern in routes():
        if name in NOT_OURS:
            continue
        converters = getattr(pattern, "converters", {}) or {}
        placeholders = {
            key: PLACEHOLDERS.get(type(converter).__name__, "x")
            for key, converter in converters.items()
        }
        found.append(reverse(name, kwargs=samples.get(name, placeholders)))
    return found


@pytest.mark.parametrize(
    "kind", ["anonymous", "customer", "staff without the permission", "another editor"]
)
def test_no_url_shows_a_draft_to_anyone_but_its_owner(world, kind):
    client = visitor(kind)
    checked = urls(world["samples"])
    assert {"/", "/catalog/", "/homepage/draft/compare/", "/about/", "/sitemap.xml"} <= set(checked)
    for url in checked:
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers, follow=True)
            assert response.status_code < 500, (url, response.status_code)
            assert SECRET not in response.content.decode(), (kind, url, headers)
    if kind == "another editor":  # They do see their own draft: the check above was live.
        assert "Theirs" in client.get("/").content.decode()


def test_another_staff_user_never_sees_a_draft_in_the_admin(world):
    client = visitor("another editor")
    draft = world["draft"]
    block = draft.blocks.get(kind="custom_html")
    for url in (
        reverse("admin:shop_layout_changelist"),
        reverse("admin:shop_layout_changelist") + "?kind__exact=draft",
        reverse("admin:shop_layoutblock_changelist"),
        reverse("admin:shop_layoutblock_changelist") + "?q=7f3a",  # A search for it.
        reverse("admin:shop_layout_change", args=[draft.pk]),
        reverse("admin:shop_layoutblock_change", args=[block.pk]),
    ):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    # Their own draft is listed for them.
    own = client.get(reverse("admin:shop_layout_changelist") + "?kind__exact=draft")
    assert "Draft of other-editor" in own.content.decode()


def test_the_owner_sees_the_draft_only_in_edit_mode_and_on_their_preview_link(world):
    owner = Client()
    owner.force_login(world["owner"])
    assert SECRET not in owner.get("/").content.decode()  # Edit mode is off in this session.
    owner.post("/homepage/edit/", {"state": "on"})
    assert SECRET in owner.get("/").content.decode()
    assert SECRET in owner.get("/homepage/draft/compare/").content.decode()

    link = links.preview_link(draft=world["draft"])
    anonymous = Client()
    assert SECRET in anonymous.get(f"/preview/{link.token}/").content.decode()
    for url in ("/", "/catalog/", "/about/", "/sitemap.xml"):
        assert SECRET not in anonymous.get(url).content.decode(), url

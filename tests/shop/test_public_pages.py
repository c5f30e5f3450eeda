"""Public pages are cached whole and shared by every visitor: the cache must never lie.

A change shows on the very next request; one shopper never sees another's badges, hearts or
tokens; a 304 never hides a changed badge; a cache hit costs no query for a visitor without a
session and at most two (the session, and the visitor's cart and wishlist) for one with.
"""

import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import timezone

from partials import public
from shop import cache_tokens
from shop.models import CacheGeneration, Product, Variant
from tests.factories import (
    CategoryFactory,
    ShippingMethodFactory,
    make_editor,
    make_live_layout,
    make_product,
    sell,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shop(warm_footer):
    shirts = CategoryFactory(name="Shirts", slug="shirts")
    lamp = make_product(name="Brass Lamp", category=shirts, prices=("45.00",), stocks=[7])
    mug = make_product(name="Blue Mug", category=shirts, prices=("9.00",), stocks=[30])
    ShippingMethodFactory()
    return {"lamp": lamp, "mug": mug}


def card(html: str, name: str) -> str:
    return re.search(rf'<li class="product-card">(?:(?!</li>).)*?{name}.*?</li>', html, re.S)[0]


def test_a_warm_page_costs_no_query_for_a_visitor_without_a_session(
    client, shop, django_assert_num_queries
):
    for url in ("/catalog/", shop["lamp"].get_absolute_url(), "/catalog/?sort=price"):
        first = client.get(url)
        with django_assert_num_queries(0):
            again = client.get(url)
        assert again.content.count(b"product") == first.content.count(b"product")
    client.get("/catalog/", headers=HTMX)  # the fragment is cached on its own
    with django_assert_num_queries(0):
        assert client.get("/catalog/", headers=HTMX).status_code == 200


def test_a_price_change_shows_on_the_very_next_request(client, shop):
    lamp = shop["lamp"]
    assert "£45.00" in client.get("/catalog/").content.decode()
    assert "£45.00" in client.get(lamp.get_absolute_url()).content.decode()
    variant = lamp.variants.get()
    variant.price = "39.00"
    variant.save()
    assert "£39.00" in card(client.get("/catalog/").content.decode(), "Brass Lamp")
    assert 'id="product-price">£39.00<' in client.get(lamp.get_absolute_url()).content.decode()


def test_stock_wording_follows_its_boundaries(
    client, shop, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    lamp, variant = shop["lamp"], shop["lamp"].variants.get()
    client.get("/catalog/")
    assert "Only 7 left" not in card(client.get("/catalog/").content.decode(), "Brass Lamp")
    page = client.get(lamp.get_absolute_url()).content.decode()
    assert "In stock" in page

    sell(variant, 1, django_capture_on_commit_callbacks)  # 7 → 6: still "In stock" on cards
    with django_assert_max_num_queries(0):  # the catalog's cached copy still holds
        assert "In stock" in card(client.get("/catalog/").content.decode(), "Brass Lamp")
    # The product page shows the exact count and follows its own product's stock.
    assert "In stock" in client.get(lamp.get_absolute_url()).content.decode()

    sell(variant, 3, django_capture_on_commit_callbacks)  # 6 → 3: low stock
    assert "Low stock" in card(client.get("/catalog/").content.decode(), "Brass Lamp")
    assert "Only 3 left" in client.get(lamp.get_absolute_url()).content.decode()
    sell(variant, 1, django_capture_on_commit_callbacks)  # 3 → 2: the card stays "Low stock"
    assert "Only 2 left" in client.get(lamp.get_absolute_url()).content.decode()

    sell(variant, 2, django_capture_on_commit_callbacks)  # sold out
    html = client.get("/catalog/").content.decode()
    assert "Sold out" in card(html, "Brass Lamp")
    assert "Sold out" in client.get(lamp.get_absolute_url()).content.decode()
    # and the "in stock" filter's count knows it
    assert "1 product" in client.get("/catalog/?in_stock=1").content.decode()


def test_publishing_the_homepage_shows_on_the_very_next_request(
    client, shop, django_capture_on_commit_callbacks
):
    from shop.services import layout as layout_services

    layout = make_live_layout({"kind": "hero", "heading": "Spring"})
    assert "Spring" in client.get("/").content.decode()
    editor = make_editor()
    hero = layout.blocks.get()
    layout_services.update_block(user=editor, key=hero.key, fields={"heading": "Summer"})
    assert "Summer" not in client.get("/").content.decode()  # a draft is nobody else's
    with django_capture_on_commit_callbacks(execute=True):
        layout_services.publish_draft(user=editor)
    html = client.get("/").content.decode()
    assert "Summer" in html and "Spring" not in html


def test_a_scheduled_block_shows_when_its_time_comes(client, shop, monkeypatch):
    soon = timezone.now() + timedelta(seconds=30)
    make_live_layout(
        {"kind": "hero", "heading": "Always"},
        {"kind": "rich_text", "heading": "Flash sale", "starts_at": soon},
    )
    assert "Flash sale" not in client.get("/").content.decode()
    later = soon + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "Flash sale" in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_shoppers_in_parallel_never_see_each_others_parts(shop):
    """Each shopper has their own cart count, saved hearts and CSRF token; 2 × 15 requests of
    the same cached pages, interleaved, must each show only the asker's."""
    shoppers = {"ada": Client(), "bob": Client()}
    shoppers["ada"].post("/cart/add/", {"variant": shop["mug"].variants.get().pk, "quantity": 3})
    shoppers["ada"].post("/wishlist/items/", {"product": shop["lamp"].pk, "state": "on"})
    shoppers["bob"].post("/cart/add/", {"variant": shop["lamp"].variants.get().pk, "quantity": 1})
    expected = {"ada": ("3", "1", "Saved"), "bob": ("1", "0", "Save")}
    problems: list[str] = []

    def browse(name: str) -> None:
        client = shoppers[name]
        try:
            for i in range(15):
                url = "/catalog/" if i % 3 else shop["lamp"].get_absolute_url()
                html = client.get(url).content.decode()
                count = re.search(r'Cart <span class="cart-badge__count">(\d+)', html)[1]
                saved = re.search(r'Wishlist <span class="cart-badge__count">(\d+)', html)[1]
                heart = re.search(
                    rf'id="wishlist-button-{shop["lamp"].pk}"[^>]*>.*?</span> (Saved|Save)<',
                    html,
                    re.S,
                )[1]
                if (count, saved, heart) != expected[name]:
                    problems.append(f"{name} saw {(count, saved, heart)}")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
                if _unmask_cipher_token(token) != client.cookies["csrftoken"].value:
                    problems.append(f"{name} got a token that is not theirs")
        finally:
            connections.close_all()

    def browse_or_report(name: str) -> None:
        try:
            browse(name)
        except Exception as error:  # a thread's exception would otherwise go unnoticed
            problems.append(f"{name}: {error!r}")

    threads = [threading.Thread(target=browse_or_report, args=(name,)) for name in shoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not problems, problems[:5]


def test_a_304_never_hides_a_changed_badge(client, shop):
    url = shop["lamp"].get_absolute_url()
    client.get(url)  # a first visit sets the CSRF cookie
    first = client.get(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    client.post("/cart/add/", {"variant": shop["mug"].variants.get().pk, "quantity": 1})
    # The next page shows the add's message: it is never "not modified", and gets no ETag.
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "ETag" not in changed
    assert "1 in your cart." in changed.content.decode()
    assert 'Cart <span class="cart-badge__count">1<' in changed.content.decode()
    # Then the page is as before but for the badge: still not the old ETag's copy.
    after = client.get(url, headers={"If-None-Match": etag})
    assert after.status_code == 200 and after["ETag"] != etag
    assert client.get(url, headers={"If-None-Match": after["ETag"]}).status_code == 304


def test_a_worker_trusts_the_tokens_it_read_for_a_second_and_its_own_changes_at_once(
    client, shop, settings, monkeypatch
):
    settings.PUBLIC_TOKEN_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(public.time, "monotonic", lambda: clock[0])
    round_trips = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: round_trips.append(keys) or get_many(keys))
    url = shop["lamp"].get_absolute_url()
    client.get(url)
    assert len(round_trips) == 1
    assert "£45.00" in client.get(url).content.decode()
    assert len(round_trips) == 1  # this worker keeps the page and read the tokens just now

    # Another process changes the price and replaces the product's token, as `replace` does
    # there: in the database and in the cache (a queryset update sends no signal here).
    Variant.objects.filter(product=shop["lamp"]).update(price="39.00")
    name = cache_tokens.product(shop["lamp"].slug)
    CacheGeneration.objects.update_or_create(name=name, defaults={"token": "elsewhere"})
    cache.set(name, "elsewhere")
    clock[0] += 0.9
    assert "£45.00" in client.get(url).content.decode()  # within the second: not asked yet
    clock[0] += 0.2
    assert 'id="product-price">£39.00<' in client.get(url).content.decode()
    assert len(round_trips) == 2

    # A change this process makes shows on its very next request, without waiting.
    variant = shop["lamp"].variants.get()
    variant.price = "35.00"
    variant.save()
    assert 'id="product-price">£35.00<' in client.get(url).content.decode()


def test_a_hit_costs_at_most_the_session_and_the_visitor_at_two_sizes(
    client, shop, django_assert_max_num_queries
):
    client.post("/cart/add/", {"variant": shop["mug"].variants.get().pk, "quantity": 2})
    client.post("/wishlist/items/", {"product": shop["lamp"].pk, "state": "on"})
    for size in (0, 30):
        for i in range(size):
            make_product(name=f"More {size}-{i}", category=shop["lamp"].category)
        for url in ("/catalog/", shop["lamp"].get_absolute_url(), "/"):
            client.get(url)
            with django_assert_max_num_queries(2):
                assert client.get(url).status_code == 200


def test_refusals_previews_and_editors_are_never_shared(client, shop, admin_client):
    assert client.get("/catalog/?min_price=abc").status_code == 400
    assert "ETag" not in client.get("/catalog/?min_price=abc")
    assert client.get("/products/nothing/").status_code == 404
    make_live_layout({"kind": "hero", "heading": "Live"})
    editor = make_editor()
    editing = Client()
    editing.force_login(editor)
    editing.post("/homepage/edit/", {"state": "on"})
    mine = editing.get("/")
    assert "no-store" in mine["Cache-Control"] and "Edit" in mine.content.decode()
    # The shared homepage was not replaced by the editor's own page.
    assert "Leave edit mode" not in client.get("/").content.decode()
    assert Product.objects.count() == 2


def test_no_stored_public_page_holds_a_csrf_token_a_username_or_an_email(shop, settings):
    """Every public page template, rendered for a signed-in shopper with a cart, a wishlist and
    a CSRF cookie (and for the homepage's editor): what the cache and the worker's memory keep
    is the page for everyone, its personal parts holes, never this visitor's values."""
    from django.core.cache import cache as shared

    from tests.factories import DynamicPageFactory, UserFactory

    make_live_layout({"kind": "hero", "heading": "Hello"})
    DynamicPageFactory(slug="about", title="About us")
    shopper = UserFactory(username="ada-unique-name", email="ada.unique@example.org")
    visitors = [Client(), Client()]
    visitors[0].force_login(shopper)
    visitors[1].force_login(make_editor(username="editor-unique-name", email="ed@example.net"))
    lamp, mug = shop["lamp"], shop["mug"]
    urls = ["/", "/catalog/", "/catalog/shirts/", "/catalog/?q=lamp", "/about/"]
    urls += [lamp.get_absolute_url(), mug.get_absolute_url()]
    secrets = []
    for visitor in visitors:
        visitor.post("/cart/add/", {"variant": lamp.variants.get().pk, "quantity": 1})
        saved = visitor.post("/wishlist/items/", {"product": mug.pk, "state": "on"})
        assert saved.status_code == 303
        for url in urls:
            for headers in ({}, HTMX):
                response = visitor.get(url, headers=headers)
                assert response.status_code == 200, url
        secrets.append(visitor.cookies[settings.CSRF_COOKIE_NAME].value)
    stored = [entry.body.decode() for entry, _compiled in public.memory.entries.values()]
    stored += [shared.get(key).body.decode() for key in public.memory.entries]
    assert len(stored) >= 2 * len(urls)
    for body in stored:
        for word in ("ada-unique-name", "ada.unique@example.org", "editor-unique-name", "ed@"):
            assert word not in body
        for candidate in re.findall(r"[A-Za-z0-9]{64}", body):
            assert _unmask_cipher_token(candidate) not in secrets
        assert not any(secret in body for secret in secrets)
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', body)
        assert set(tokens) <= {"<!--hole:csrf-->"}
        if "<body" in body:
            assert '<body hx-headers=\'{"X-CSRFToken": "<!--hole:csrf-->"}\'>' in body


def test_every_template_writes_its_csrf_token_with_one_tag():
    """`{% csrf_input %}` (a hole) everywhere: a `{% csrf_token %}` in a template that a public
    page includes would store one visitor's token in the page everyone gets."""
    from pathlib import Path

    from django.conf import settings

    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [Path(public.__file__).parent / "templates"]
    templates = [path for folder in folders for path in folder.rglob("*.html")]
    assert len(templates) > 20
    assert [str(path) for path in templates if "csrf_token %}" in path.read_text()] == []

"""Campaign releases: the store at a moment, conflicts, rollback, caches at boundaries, previews
that never reach a live cache, and the price drift of a release that starts during checkout."""

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partials.public import memory
from shop import cache_tokens
from shop.domain import pricing
from shop.domain.releases import Claim, conflicts
from shop.models import Coupon, Order, Release, ReleaseEvent, ReleasePrice
from shop.moment import links
from shop.moment import resolve as moment_resolve
from shop.moment.resolve import resolve
from shop.moment.values import Timeline, Window
from shop.queries import cart as cart_queries
from shop.queries import catalog_index
from shop.queries import layout as layout_queries
from shop.queries.catalog import CatalogFilters, product_listing
from shop.services import checkout
from shop.services import layout as layout_services
from shop.services import releases as release_service
from tests.factories import (
    CategoryFactory,
    DynamicPageFactory,
    ShippingMethodFactory,
    UserFactory,
    cart_with,
    make_editor,
    make_live_layout,
    make_product,
)
from tests.shop.test_orders import DETAILS

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 1, 10, 9, 0, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.fixture
def at(monkeypatch):
    """Set the clock: `at(moment)` makes timezone.now() return it (every read resolves by it)."""

    def move(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return move


@pytest.fixture
def shop(warm_footer):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    knitwear = CategoryFactory(name="Knitwear", slug="knitwear", parent=clothing)
    shirts = CategoryFactory(name="Shirts", slug="shirts", parent=clothing)
    jumper = make_product(name="Merino Jumper", category=knitwear, prices=("60.00", "70.00"))
    cardigan = make_product(name="Wool Cardigan", category=knitwear, prices=("80.00",))
    shirt = make_product(name="Linen Shirt", category=shirts, prices=("40.00",))
    ShippingMethodFactory()
    make_live_layout({"kind": "hero", "heading": "Good things, honestly priced"})
    editor = make_editor("maya")
    return {
        "knitwear": knitwear,
        "jumper": jumper,
        "cardigan": cardigan,
        "shirt": shirt,
        "editor": editor,
    }


def winter_sale(shop, *, starts_at, ends_at=None, hero=True, coupon=True, name="Winter sale"):
    """A draft: 20 % off Knitwear, a new hero (from the editor's draft) and WINTER20."""
    release = release_service.create_release(
        name=name, starts_at=starts_at, ends_at=ends_at, owner=shop["editor"]
    )
    release_service.add_price_rule(
        release=release, percent_off=Decimal("20"), category=shop["knitwear"]
    )
    if hero:
        live = layout_queries.homepage_editor(user=shop["editor"]).live
        key = live.blocks.get().key
        layout_services.update_block(
            user=shop["editor"], key=key, fields={"heading": "Winter sale: knitwear 20% off"}
        )
        release_service.save_homepage(release=release, user=shop["editor"])
    if coupon:
        release_service.add_coupon(release=release, code="winter20", value=Decimal("10"))
    return release


def listing(**filters):
    return product_listing(state=resolve(), filters=CatalogFilters(**filters))


def card_prices(page) -> dict[str, Decimal | None]:
    return {card.name: card.min_price for card in page.products}


# The rule as values ----------------------------------------------------------------------------


def test_a_window_holds_from_its_start_to_the_second_and_not_at_its_end():
    window = Window(1, T0, T0 + timedelta(hours=1))
    assert not window.holds(T0 - timedelta(microseconds=1))
    assert window.holds(T0)
    assert window.holds(T0 + timedelta(hours=1) - timedelta(microseconds=1))
    assert not window.holds(T0 + timedelta(hours=1))
    assert Window(2, T0).holds(T0 + timedelta(days=3650))  # no end: for good


def test_the_timeline_names_the_releases_in_force_in_start_order_and_the_next_boundary():
    timeline = Timeline(
        (
            Window(7, T0 + timedelta(hours=1), T0 + timedelta(hours=3)),
            Window(3, T0, T0 + timedelta(hours=2)),
        )
    )
    assert timeline.in_force(T0 - SECOND) == ()
    assert timeline.next_boundary(T0 - SECOND) == T0
    assert timeline.in_force(T0 + timedelta(hours=1, minutes=30)) == (3, 7)
    assert timeline.next_boundary(T0 + timedelta(hours=1)) == T0 + timedelta(hours=2)
    assert timeline.in_force(T0 + timedelta(hours=2)) == (7,)
    assert timeline.next_boundary(T0 + timedelta(hours=3)) is None


def test_windows_that_touch_do_not_conflict_and_overlapping_ones_do_on_what_both_change():
    price = Claim(Claim.PRICE, 42, "Merino Jumper (S)")
    first = Window(1, T0, T0 + timedelta(hours=1))
    after = Window(2, T0 + timedelta(hours=1), None)
    overlapping = Window(3, T0 + timedelta(minutes=30), None)
    assert conflicts(after, [price], [(first, "A", [price])]) == []
    found = conflicts(overlapping, [price, Claim(Claim.HOMEPAGE, 0)], [(first, "A", [price])])
    assert [c.release_id for c in found] == [1]
    assert "the price of Merino Jumper (S)" in found[0].message
    other_thing = Claim(Claim.PRICE, 43)
    assert conflicts(overlapping, [other_thing], [(first, "A", [price])]) == []


# Resolution at a moment ----------------------------------------------------------------------


def test_the_store_at_a_moment_is_the_live_rows_plus_the_releases_in_force_to_the_second(shop, at):
    at(T0 - timedelta(hours=1))
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(days=3))
    release_service.schedule(release=sale, user=shop["editor"])

    def prices_at(moment):
        at(moment)
        return card_prices(listing())

    before = {"Merino Jumper": Decimal("60.00"), "Wool Cardigan": Decimal("80.00")}
    during = {"Merino Jumper": Decimal("48.00"), "Wool Cardigan": Decimal("64.00")}
    for moment, expected in (
        (T0 - timedelta(microseconds=1), before),
        (T0, during),
        (T0 + timedelta(days=3) - timedelta(microseconds=1), during),
        (T0 + timedelta(days=3), before),
    ):
        prices = prices_at(moment)
        assert {name: prices[name] for name in expected} == expected, moment
        assert prices["Linen Shirt"] == Decimal("40.00")  # not knitwear


def test_price_filters_and_sorting_use_the_prices_in_force(shop, at):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    release_service.set_price(
        release=sale, variant=shop["shirt"].variants.get(), price=Decimal("99.00")
    )
    release_service.schedule(release=sale, user=shop["editor"])
    assert [c.name for c in listing(sort="price").products] == [
        "Linen Shirt",
        "Merino Jumper",
        "Wool Cardigan",
    ]
    assert listing(max_price=Decimal("50")).total == 1
    at(T0)
    assert [c.name for c in listing(sort="price").products] == [
        "Merino Jumper",  # 48.00
        "Wool Cardigan",  # 64.00
        "Linen Shirt",  # 99.00
    ]
    assert listing(max_price=Decimal("50")).total == 1  # the jumper now, not the shirt
    assert listing(max_price=Decimal("50")).products[0].name == "Merino Jumper"
    assert listing(min_price=Decimal("90")).products[0].name == "Linen Shirt"


def test_visibility_changes_show_a_draft_product_and_hide_a_published_one_with_counts(shop, at):
    at(T0 - SECOND)
    secret = make_product(name="Advent Scarf", category=shop["knitwear"], status="draft")
    release = release_service.create_release(name="Advent", starts_at=T0, owner=shop["editor"])
    release_service.set_visibility(release=release, product=secret, visible=True)
    release_service.set_visibility(release=release, product=shop["shirt"], visible=False)
    release_service.schedule(release=release, user=shop["editor"])
    names = lambda page: {card.name for card in page.products}  # noqa: E731
    assert names(listing()) == {"Merino Jumper", "Wool Cardigan", "Linen Shirt"}
    at(T0)
    page = listing()
    assert names(page) == {"Merino Jumper", "Wool Cardigan", "Advent Scarf"}
    counts = {link.category.name: link.count for link in page.categories}
    assert counts["Clothing"] == 3
    client = Client()
    assert client.get(secret.get_absolute_url()).status_code == 200
    assert client.get(shop["shirt"].get_absolute_url()).status_code == 404


def test_overlapping_releases_that_change_different_things_both_apply(shop, at):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(hours=2), hero=False)
    shirts = release_service.create_release(
        name="Shirt week", starts_at=T0 + timedelta(hours=1), owner=shop["editor"]
    )
    release_service.set_price(
        release=shirts, variant=shop["shirt"].variants.get(), price=Decimal("30.00")
    )
    for release in (sale, shirts):
        release_service.schedule(release=release, user=shop["editor"])
    at(T0 + timedelta(minutes=90))
    assert resolve().releases == (sale.pk, shirts.pk)
    prices = card_prices(listing())
    assert prices == {
        "Merino Jumper": Decimal("48.00"),
        "Wool Cardigan": Decimal("64.00"),
        "Linen Shirt": Decimal("30.00"),
    }
    at(T0 + timedelta(hours=2))
    assert card_prices(listing())["Merino Jumper"] == Decimal("60.00")
    assert card_prices(listing())["Linen Shirt"] == Decimal("30.00")


def test_a_preview_of_a_draft_applies_it_last_over_what_is_scheduled(shop, at):
    at(T0 - SECOND)
    scheduled = release_service.create_release(name="A", starts_at=T0, owner=shop["editor"])
    variant = shop["shirt"].variants.get()
    release_service.set_price(release=scheduled, variant=variant, price=Decimal("35.00"))
    release_service.schedule(release=scheduled, user=shop["editor"])
    draft = release_service.create_release(name="B", starts_at=T0, owner=shop["editor"])
    release_service.set_price(release=draft, variant=variant, price=Decimal("25.00"))
    state = resolve(at=T0, release=draft, time_travel=True)
    assert state.releases == (scheduled.pk, draft.pk) and state.time_travel
    assert state.price_of(variant.pk, variant.price) == Decimal("25.00")
    assert resolve(at=T0).price_of(variant.pk, variant.price) == Decimal("35.00")


def test_a_percentage_is_fixed_into_each_variants_price_when_scheduled(shop, at):
    at(T0 - timedelta(days=1))
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    jumper_small = shop["jumper"].variants.order_by("position").first()
    jumper_small.price = Decimal("65.00")  # a price change while it is a draft
    jumper_small.save()
    release_service.schedule(release=sale, user=shop["editor"])
    row = ReleasePrice.objects.get(release=sale, variant=jumper_small)
    assert row.price == Decimal("52.00") and row.rule is not None
    jumper_small.price = Decimal("90.00")  # after scheduling: the release's price is fixed
    jumper_small.save()
    at(T0)
    assert card_prices(listing())["Merino Jumper"] == Decimal("52.00")


def test_a_release_changes_cms_pages_and_the_footer(shop, at, client):
    at(T0 - SECOND)
    about = DynamicPageFactory(slug="about", title="About us", body="<p>Old words.</p>")
    returns = DynamicPageFactory(slug="returns", title="Returns")
    release = release_service.create_release(name="Pages", starts_at=T0, owner=shop["editor"])
    release_service.change_page(
        release=release, page=about, action="edit", title="About us", body="<p>Winter words.</p>"
    )
    release_service.change_page(release=release, page=returns, action="unpublish")
    release_service.add_new_page(
        release=release, slug="winter-sale", title="Winter sale", body="<p>Knitwear 20% off.</p>"
    )
    release_service.schedule(release=release, user=shop["editor"])
    assert client.get("/winter-sale/").status_code == 404
    assert "Old words." in client.get("/about/").content.decode()
    at(T0)
    assert "Knitwear 20% off." in client.get("/winter-sale/").content.decode()
    html = client.get("/about/").content.decode()
    assert "Winter words." in html and "Old words." not in html
    assert "noindex" not in html  # published by the release: a real page, not a preview
    assert client.get("/returns/").status_code == 404
    footer = client.get("/catalog/").content.decode()
    assert 'href="/winter-sale/">Winter sale<' in footer and 'href="/returns/"' not in footer


# Conflicts --------------------------------------------------------------------------------------


def test_scheduling_is_refused_when_an_overlapping_release_changes_the_same_price(shop, at):
    at(T0 - SECOND)
    first = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(days=1), hero=False)
    release_service.schedule(release=first, user=shop["editor"])
    second = release_service.create_release(
        name="Jumper day", starts_at=T0 + timedelta(hours=12), owner=shop["editor"]
    )
    jumper = shop["jumper"].variants.order_by("position").first()
    release_service.set_price(release=second, variant=jumper, price=Decimal("50.00"))
    with pytest.raises(release_service.ScheduleConflict) as refused:
        release_service.schedule(release=second, user=shop["editor"])
    assert "“Winter sale” overlaps it and also changes the price of Merino Jumper" in str(
        refused.value
    )
    second.refresh_from_db()
    assert second.status == Release.Status.DRAFT
    # Right after the first one ends, the same change is fine.
    release_service.save_draft(
        release=Release(
            pk=second.pk,
            name=second.name,
            starts_at=T0 + timedelta(days=1),
            ends_at=None,
            description="",
            created=second.created,
        ),
        user=shop["editor"],
    )
    second.refresh_from_db()
    assert release_service.schedule(release=second, user=shop["editor"]).status == "scheduled"


def test_two_releases_with_a_homepage_or_the_same_page_may_not_overlap(shop, at):
    at(T0 - SECOND)
    first = winter_sale(shop, starts_at=T0, coupon=False)
    release_service.schedule(release=first, user=shop["editor"])
    page = DynamicPageFactory(slug="about")
    second = release_service.create_release(
        name="Spring", starts_at=T0 + timedelta(days=30), owner=shop["editor"]
    )
    layout_services.start_draft(user=shop["editor"])
    release_service.save_homepage(release=second, user=shop["editor"])
    with pytest.raises(release_service.ScheduleConflict) as refused:
        release_service.schedule(release=second, user=shop["editor"])
    assert "also changes the homepage" in str(refused.value)
    third = release_service.create_release(name="P1", starts_at=T0, owner=shop["editor"])
    fourth = release_service.create_release(name="P2", starts_at=T0, owner=shop["editor"])
    for release in (third, fourth):
        release_service.change_page(release=release, page=page, action="unpublish")
    release_service.schedule(release=third, user=shop["editor"])
    with pytest.raises(release_service.ScheduleConflict, match="page “"):
        release_service.schedule(release=fourth, user=shop["editor"])


@pytest.mark.django_db(transaction=True)
def test_two_conflicting_releases_scheduled_at_the_same_moment_one_is_refused(shop):
    starts = timezone.now() + timedelta(hours=1)
    variant = shop["shirt"].variants.get()
    drafts = []
    for name in ("One", "Two"):
        release = release_service.create_release(name=name, starts_at=starts, owner=None)
        release_service.set_price(release=release, variant=variant, price=Decimal("20.00"))
        drafts.append(release)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def schedule(release):
        try:
            barrier.wait(timeout=10)
            release_service.schedule(release=release, user=None)
            outcomes.append("scheduled")
        except release_service.ScheduleConflict:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule, args=(r,)) for r in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "scheduled"]
    assert Release.objects.scheduled().count() == 1


def test_a_draft_changes_only_while_it_is_a_draft(shop, at):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    release_service.schedule(release=sale, user=shop["editor"])
    with pytest.raises(release_service.NotDraft):
        release_service.set_price(
            release=sale, variant=shop["shirt"].variants.get(), price=Decimal("1.00")
        )
    with pytest.raises(release_service.StartPassed):
        late = release_service.create_release(name="Late", starts_at=T0 - timedelta(hours=1))
        release_service.schedule(release=late, user=None)
    release_service.unschedule(release=sale, user=shop["editor"])
    release_service.set_price(
        release=sale, variant=shop["shirt"].variants.get(), price=Decimal("1.00")
    )
    release_service.schedule(release=sale, user=shop["editor"])
    at(T0)
    with pytest.raises(release_service.AlreadyLive):
        release_service.unschedule(release=sale, user=shop["editor"])


# Rollback -----------------------------------------------------------------------------------


def place(cart, capture):
    """Place the cart's order as checkout does (locks, prices in force, stock)."""
    quote = cart_queries.review(state=resolve(), cart=cart)
    with capture(execute=True):
        order, _ = checkout.place_order(
            cart_id=cart.pk,
            checkout_token=cart.checkout_token,
            confirmed=pricing.read_signed(quote.signed()),
            details=DETAILS,
        )
    return order


def test_rollback_undoes_a_live_release_as_a_unit_and_orders_keep_their_prices(
    shop, at, client, django_capture_on_commit_callbacks
):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0)
    release_service.schedule(release=sale, user=shop["editor"])
    at(T0 + timedelta(minutes=5))
    home = client.get("/").content.decode()
    assert "Winter sale: knitwear 20% off" in home
    jumper = shop["jumper"].variants.order_by("position").first()
    cart = cart_with((jumper, 1), coupon=Coupon.objects.get(code="WINTER20"))
    order = place(cart, django_capture_on_commit_callbacks)
    assert order.lines.get().unit_price == Decimal("48.00")
    assert order.coupon_code == "WINTER20" and order.discount_total == Decimal("4.80")

    with django_capture_on_commit_callbacks(execute=True):
        release_service.roll_back(release=sale, user=shop["editor"], note="Wrong week")
    home = client.get("/").content.decode()
    assert "Good things, honestly priced" in home and "Winter sale" not in home
    assert card_prices(listing())["Merino Jumper"] == Decimal("60.00")
    assert "£60.00" in client.get(shop["jumper"].get_absolute_url()).content.decode()
    coupon = Coupon.objects.select_related("release").get(code="WINTER20")
    assert coupon.eligibility(subtotal=Decimal("100"), now=timezone.now()).code == "expired"
    order.refresh_from_db()
    assert order.lines.get().unit_price == Decimal("48.00")  # the snapshot stays
    event = sale.events.get(action=ReleaseEvent.Action.ROLLED_BACK)
    assert event.actor == shop["editor"] and event.note == "Wrong week"
    with pytest.raises(release_service.NotDraft):
        release_service.roll_back(release=sale, user=shop["editor"])


def test_a_release_that_has_not_started_is_moved_back_not_rolled_back(shop, at):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    release_service.schedule(release=sale, user=shop["editor"])
    with pytest.raises(release_service.NotStarted):
        release_service.roll_back(release=sale, user=shop["editor"])


# Caches and boundaries -----------------------------------------------------------------------


def test_cached_pages_show_a_release_on_the_second_it_starts_and_ends_with_no_job(
    shop, at, client, django_assert_max_num_queries
):
    at(T0 - timedelta(minutes=1))
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(hours=1))
    release_service.schedule(release=sale, user=shop["editor"])
    urls = ["/", "/catalog/", "/catalog/?sort=price", shop["jumper"].get_absolute_url()]
    for url in urls:
        client.get(url)
    at(T0 - SECOND)
    for url in urls:  # served from the cache, still before the start
        with django_assert_max_num_queries(2):
            html = client.get(url).content.decode()
        assert "£48.00" not in html and "Winter sale: knitwear" not in html
    at(T0)
    assert "Winter sale: knitwear 20% off" in client.get("/").content.decode()
    assert "From £48.00" in client.get("/catalog/").content.decode()
    assert 'id="product-price">£48.00<' in client.get(urls[3]).content.decode()
    at(T0 + timedelta(hours=1))
    assert "Good things, honestly priced" in client.get("/").content.decode()
    assert "£48.00" not in client.get("/catalog/").content.decode()


def test_a_public_page_is_stored_only_until_the_next_boundary(shop, at, client):
    at(T0 - timedelta(minutes=10))
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    release_service.schedule(release=sale, user=shop["editor"])
    client.get("/catalog/")
    entries = [entry for entry, _ in memory.entries.values()]
    assert entries and all(entry.until == T0.timestamp() for entry in entries)
    index = catalog_index.current(state=resolve())
    assert index.expires_at == T0
    at(T0)
    assert catalog_index.current(state=resolve()) is not index


def test_scheduling_moving_back_and_rolling_back_replace_the_releases_token(
    shop, at, django_capture_on_commit_callbacks
):
    at(T0 - SECOND)
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    tokens = [cache_tokens.current(cache_tokens.RELEASES)]
    for step in (release_service.schedule, release_service.unschedule, release_service.schedule):
        with django_capture_on_commit_callbacks(execute=True):
            step(release=sale, user=None)
        tokens.append(cache_tokens.current(cache_tokens.RELEASES))
    assert len(set(tokens)) == 4
    assert moment_resolve.timeline().window_of(sale.pk) == sale.window


def cached_text() -> str:
    """Everything the shared cache and this process's page memory hold, as text."""
    values = cache.get_many(cache.keys("*")) if hasattr(cache, "keys") else {}
    stored = [repr(value) for value in values.values()]
    stored += [entry.body.decode() for entry, _ in memory.entries.values()]
    return "\n".join(stored)


def test_no_preview_ever_reaches_a_live_cache(shop, at, client):
    at(T0 - timedelta(days=1))
    draft = winter_sale(shop, starts_at=T0)  # a draft: only a preview shows it
    staff = make_editor("tim")
    staff.user_permissions.add(Permission.objects.get(codename="time_travel"))
    traveller = Client()
    traveller.force_login(staff)
    traveller.post("/releases/time-travel/", {"state": "on", "release": draft.pk})
    link = links.preview_link(release=draft)
    guest = Client()
    guest.post(f"/releases/preview/{link.token}/")
    for browser in (traveller, guest):
        for url in ("/", "/catalog/", "/catalog/knitwear/?sort=price", "/winter-sale/"):
            response = browser.get(url)
            if response.status_code == 200:
                assert response["Cache-Control"] == "private, no-store"
                assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "£48.00" in browser.get("/catalog/").content.decode()
    assert "Winter sale: knitwear" in guest.get("/").content.decode()
    # The live store, and every cache, know nothing of it.
    for url in ("/", "/catalog/", "/catalog/knitwear/?sort=price"):
        html = client.get(url).content.decode()
        assert "£48.00" not in html and "Winter sale: knitwear" not in html
    text = cached_text()
    assert "48.00" not in text and "Winter sale: knitwear" not in text
    assert resolve().releases == ()


# Checkout at the boundary ----------------------------------------------------------------------


def test_a_release_that_starts_between_review_and_placement_is_a_price_change(
    shop, at, client, django_capture_on_commit_callbacks
):
    at(T0 - timedelta(minutes=2))
    sale = winter_sale(shop, starts_at=T0, hero=False, coupon=False)
    release_service.schedule(release=sale, user=shop["editor"])
    cardigan = shop["cardigan"].variants.get()
    client.post("/cart/add/", {"variant": cardigan.pk, "quantity": 1})
    page = client.get("/checkout/").content.decode()
    assert "£80.00" in page
    form = dict(re.findall(r'name="(checkout_token|quote)" value="([^"]+)"', page))
    data = {
        **form,
        "email": "ada@example.com",
        "full_name": "Ada Lovelace",
        "address_line1": "12 St James's Square",
        "city": "London",
        "postcode": "SW1Y 4LE",
        "country": "GB",
        "shipping": "standard",
        "payment_method": "card",
        "card_number": "4242 4242 4242 4242",
    }
    at(T0)  # the sale starts while the shopper reads the review
    changed = client.post("/checkout/", data)
    assert changed.status_code == 409
    html = changed.content.decode()
    assert (
        "The price of Wool Cardigan (Option 1) went down from £80.00 to £64.00 (Winter sale)."
        in html
    )
    assert Order.objects.count() == 0
    data.update(dict(re.findall(r'name="(checkout_token|quote)" value="([^"]+)"', html)))
    with django_capture_on_commit_callbacks(execute=True):
        placed = client.post("/checkout/", data)
    assert placed.status_code == 303
    assert Order.objects.get().lines.get().unit_price == Decimal("64.00")


def test_a_release_coupon_applies_only_while_its_release_is_in_force(shop, at, client):
    at(T0 - timedelta(minutes=1))
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(hours=1), hero=False)
    client.post("/cart/add/", {"variant": shop["shirt"].variants.get().pk, "quantity": 1})
    refused = client.post("/cart/coupon/", {"code": "winter20"})
    assert refused.status_code == 400 and "not valid yet" in refused.content.decode()
    release_service.schedule(release=sale, user=shop["editor"])
    refused = client.post("/cart/coupon/", {"code": "winter20"})
    assert "is valid from 10 Jan 2030, 09:00" in refused.content.decode()
    at(T0)
    assert client.post("/cart/coupon/", {"code": "winter20"}).status_code == 303
    at(T0 + timedelta(hours=1))
    cart = client.get("/cart/").content.decode()
    assert "The code WINTER20 has expired." in cart


# Time travel and preview links ------------------------------------------------------------------


def time_traveller():
    user = UserFactory(username="tim", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["time_travel", "manage_releases"])
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_see_the_whole_shop_at_a_moment_with_a_banner_and_checkout_off(shop, at):
    at(T0 - timedelta(days=2))
    sale = winter_sale(shop, starts_at=T0)
    release_service.schedule(release=sale, user=shop["editor"])
    staff = time_traveller()
    staff.post("/cart/add/", {"variant": shop["jumper"].variants.first().pk, "quantity": 1})
    answer = staff.post(
        "/releases/time-travel/",
        {"state": "on", "at": "2030-01-10T09:00:00", "next": "/catalog/knitwear/"},
    )
    assert answer.status_code == 303 and answer["Location"] == "/catalog/knitwear/"
    page = staff.get("/catalog/knitwear/")
    html = page.content.decode()
    assert "Preview: the shop on 10 Jan 2030, 09:00:00" in html
    assert "From £48.00" in html and page["Cache-Control"] == "private, no-store"
    assert '<meta name="robots"' in html or page["X-Robots-Tag"] == "noindex, nofollow"
    assert "Winter sale: knitwear 20% off" in staff.get("/").content.decode()
    cart = staff.get("/cart/").content.decode()
    assert "£48.00 each" in cart and "Checkout is off while you preview the shop" in cart
    refused = staff.get("/checkout/")
    assert refused.status_code == 303 and refused["Location"] == "/cart/"
    assert staff.post("/releases/preview/leave/").status_code == 303
    assert "Preview: the shop" not in staff.get("/catalog/").content.decode()


def test_a_request_that_never_reads_the_store_resolves_none_even_in_time_travel(shop, at):
    """request.store (shop.moment.middleware) is resolved only when read: a time-travel state
    costs its queries (the timeline, the release, the effects) only where a page shows it."""
    at(T0 - timedelta(days=2))
    release_service.schedule(release=winter_sale(shop, starts_at=T0), user=shop["editor"])
    staff = time_traveller()
    with CaptureQueriesContext(connections["default"]) as live:
        assert staff.get("/health/live").status_code == 200
    staff.post("/releases/time-travel/", {"state": "on", "at": "2030-01-10T09:00:00"})
    with CaptureQueriesContext(connections["default"]) as travelling:
        assert staff.get("/health/live").status_code == 200
    assert len(travelling) == len(live)
    assert "From £48.00" in staff.get("/catalog/knitwear/").content.decode()


def test_only_staff_with_the_permission_may_time_travel(shop, client):
    assert (
        client.post("/releases/time-travel/", {"state": "on", "at": "2030-01-10T09:00"}).status_code
        == 403
    )
    editor = Client()
    editor.force_login(shop["editor"])
    assert (
        editor.post("/releases/time-travel/", {"state": "on", "at": "2030-01-10T09:00"}).status_code
        == 403
    )


def test_a_preview_link_shows_a_release_to_anyone_until_it_expires_or_is_rolled_back(
    shop, at, client, settings
):
    at(T0 - timedelta(days=1))
    sale = winter_sale(shop, starts_at=T0)
    link = links.preview_link(release=sale)
    response = client.get(f"/releases/preview/{link.token}/")
    html = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "Preview of “Winter sale”" in html and "Winter sale: knitwear 20% off" in html
    assert client.get("/").content.decode().count("Winter sale: knitwear") == 0
    client.post(f"/releases/preview/{link.token}/")
    assert "From £48.00" in client.get("/catalog/").content.decode()
    assert client.get(f"/releases/preview/{link.token}x/").status_code == 404
    at(link.expires_at)
    assert client.get(f"/releases/preview/{link.token}/").status_code == 404
    assert "£48.00" not in client.get("/catalog/").content.decode()  # the session's link too


def test_one_kind_of_preview_link_never_opens_at_the_other_kinds_address(shop, at, client):
    """Releases, moments and homepage drafts share one signed link (shop.moment.links): a
    draft's link does not show or enter the store at a moment, nor a release's the draft page."""
    at(T0 - timedelta(days=1))
    sale = winter_sale(shop, starts_at=T0)
    editor = Client()
    editor.force_login(shop["editor"])
    editor.post("/homepage/edit/", {"state": "on"})
    key = layout_queries.homepage_editor(user=shop["editor"]).live.blocks.get().key
    editor.post(f"/homepage/draft/blocks/{key}/", {"region": "main", "heading": "Snow", "text": ""})
    draft = links.preview_link(draft=layout_queries.draft_of(user=shop["editor"]))
    release = links.preview_link(release=sale)
    assert "Snow" in client.get(f"/preview/{draft.token}/").content.decode()
    assert client.get(f"/releases/preview/{draft.token}/").status_code == 404
    assert client.post(f"/releases/preview/{draft.token}/").status_code == 404
    assert "£48.00" not in client.get("/catalog/").content.decode()
    assert client.get(f"/preview/{release.token}/").status_code == 404
    assert client.get(f"/releases/preview/{release.token}/").status_code == 200


def test_the_editor_saves_the_homepage_draft_into_a_release(shop, at):
    at(T0 - timedelta(days=1))
    shop["editor"].user_permissions.add(Permission.objects.get(codename="manage_releases"))
    editor = Client()
    editor.force_login(shop["editor"])
    release = release_service.create_release(name="Winter sale", starts_at=T0)
    editor.post("/homepage/edit/", {"state": "on"})
    live = layout_queries.homepage_editor(user=shop["editor"]).live
    key = live.blocks.get().key
    editor.post(f"/homepage/draft/blocks/{key}/", {"region": "main", "heading": "Snow", "text": ""})
    assert 'name="release"' in editor.get("/").content.decode()
    saved = editor.post("/releases/homepage/", {"release": release.pk})
    assert saved.status_code == 303
    assert saved["Location"] == f"/admin/shop/release/{release.pk}/changes/"
    release.refresh_from_db()
    assert release.layout.blocks.get().heading == "Snow"
    assert layout_queries.draft_of(user=shop["editor"]) is None
    assert "Snow" not in Client().get("/").content.decode()


# The admin: the timeline and "what changes" -----------------------------------------------------


def test_the_admin_lists_releases_on_a_timeline_and_shows_what_each_changes(shop, at):
    at(timezone.now())
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    sale = winter_sale(shop, starts_at=timezone.now() + timedelta(days=1))
    listing_page = admin.get("/admin/shop/release/").content.decode()
    assert "Timeline: the next 14 days" in listing_page and "Winter sale" in listing_page
    page = admin.get(f"/admin/shop/release/{sale.pk}/changes/").content.decode()
    assert "Merino Jumper (Option 1)" in page and "£60.00" in page and "£48.00 (-20%)" in page
    assert "Good things, honestly priced" in page and "Winter sale: knitwear 20% off" in page
    assert "WINTER20" in page
    answer = admin.post(f"/admin/shop/release/{sale.pk}/act/", {"action": "schedule"})
    assert answer.status_code == 302
    sale.refresh_from_db()
    assert sale.status == Release.Status.SCHEDULED
    admin.post(f"/admin/shop/release/{sale.pk}/act/", {"action": "preview-link"})
    page = admin.get(f"/admin/shop/release/{sale.pk}/changes/").content.decode()
    assert "/releases/preview/" in page


# Budgets with one release scheduled and one live -----------------------------------------------


@pytest.mark.parametrize("size", [0, 30])
def test_budgets_hold_with_one_release_scheduled_and_one_live(
    shop, at, client, size, django_assert_max_num_queries
):
    at(T0 - SECOND)
    live = winter_sale(shop, starts_at=T0, hero=True, coupon=False)
    later = release_service.create_release(
        name="Spring", starts_at=T0 + timedelta(days=30), owner=shop["editor"]
    )
    release_service.set_price(
        release=later, variant=shop["shirt"].variants.get(), price=Decimal("20.00")
    )
    for release in (live, later):
        release_service.schedule(release=release, user=shop["editor"])
    for i in range(size):
        make_product(name=f"More {i}", category=shop["knitwear"], prices=("50.00",))
    at(T0 + SECOND)
    # The live state is site-wide: the timeline (one query) once per release change, the effects
    # of the releases in force (five) once per set, in each process, like the footer's links.
    resolve()
    # Then the same as without releases: the release's homepage (a hero: its blocks, their
    # products and categories, the tokens' row, the footer for this set of releases), the
    # catalog index and a page of cards (8), another filter state's cards (2); a hit, none.
    for url, cold in (("/", 5), ("/catalog/", 8), ("/catalog/knitwear/?sort=price", 2)):
        with django_assert_max_num_queries(cold):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(0):
            assert client.get(url).status_code == 200
    assert "From £48.00" in client.get("/catalog/knitwear/?sort=price").content.decode()


# manage.py release, for QA scripts --------------------------------------------------------------


def test_a_campaign_can_be_scripted_with_manage_py_release(shop, at, client):
    from io import StringIO

    from django.core.management import call_command

    def release(*args) -> str:
        out = StringIO()
        call_command("release", *args, stdout=out)
        return out.getvalue()

    at(T0 - timedelta(minutes=5))
    created = release("create", "--name", "Winter sale", "--starts-in", "60", "--ends-in", "3600")
    pk = created.strip().splitlines()[-1]
    assert "20% off Knitwear: 3 variant prices" in release(
        "price", pk, "--percent", "20", "--category", "knitwear"
    )
    sku = shop["shirt"].variants.get().sku
    assert f"{sku}: 40.00 → 35.00" in release("price", pk, "--sku", sku, "--set", "35")
    assert "Coupon WINTER20 (20% off)" in release(
        "coupon", pk, "--code", "winter20", "--percent", "20"
    )
    layout_services.start_draft(user=shop["editor"])
    release("homepage", pk, "--user", "maya")
    assert "Scheduled “Winter sale”" in release("schedule", pk)
    link = release("preview-link", pk, "--base-url", "http://shop.test").strip()
    assert link.startswith("http://shop.test/releases/preview/")
    assert f"{pk}\tscheduled\t" in release("list")
    at(T0 - timedelta(minutes=4) + timedelta(seconds=61))
    assert "From £48.00" in client.get("/catalog/knitwear/").content.decode()
    assert "Rolled back" in release("rollback", pk, "--note", "QA done")
    assert "£48.00" not in client.get("/catalog/knitwear/").content.decode()
    with pytest.raises(Exception, match="There is no release 999999"):
        release("schedule", "999999")


def test_manage_py_prints_preview_links_on_the_shops_own_address(shop, at, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.SITE_URL = "https://shop.example.com"
    at(T0 - timedelta(days=1))
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(days=2))
    release_service.schedule(release=sale, user=shop["editor"])

    def preview_link(*args) -> str:
        out = StringIO()
        call_command("release", "preview-link", *args, stdout=out)
        return out.getvalue().strip()

    link = preview_link(str(sale.pk))
    assert link.startswith("https://shop.example.com/releases/preview/")
    path = link.removeprefix("https://shop.example.com")
    assert "Winter sale" in Client().get(path).content.decode()
    assert preview_link("--at", "2030-01-11T12:00:00", "--base-url", "http://qa.test/").startswith(
        "http://qa.test/releases/preview/"
    )


def test_a_preview_link_of_a_moment_shows_the_scheduled_releases_of_that_moment(shop, at):
    at(T0 - timedelta(days=1))
    sale = winter_sale(shop, starts_at=T0, ends_at=T0 + timedelta(days=2))
    release_service.schedule(release=sale, user=shop["editor"])
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    admin.post("/admin/shop/release/moment-link/", {"at": "2030-01-11T12:00:00"})
    listing_page = admin.get("/admin/shop/release/").content.decode()
    token = re.search(r'value="http://testserver/releases/preview/([^/]+)/"', listing_page)[1]
    guest = Client()
    page = guest.get(f"/releases/preview/{token}/").content.decode()
    assert "the shop as it will be on 11 Jan 2030, 12:00:00" in page
    assert "Winter sale: knitwear 20% off" in page
    guest.post(f"/releases/preview/{token}/")
    assert "From £48.00" in guest.get("/catalog/knitwear/").content.decode()
    assert "From £48.00" not in Client().get("/catalog/knitwear/").content.decode()

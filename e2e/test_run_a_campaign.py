"""A marketer runs a campaign: "Winter sale" (a new hero, 20 % off Knitwear, a WINTER20 coupon)
is built in a draft, previewed through a link in a fresh anonymous browser while the live shop
does not show it, scheduled a few seconds ahead, goes live on the second with no job run, sells
at the sale price, and is rolled back as a unit.

The marketer works in the admin (the release, its percentage off and coupon, "What changes",
Schedule, Roll back) and on the storefront (the hero, saved into the release from the homepage
editor). With JavaScript the hero's preview saves as the marketer types; without it "Save draft".

Set UPDATE_SCREENSHOTS=1 to refresh docs/screenshots/release-changes.png (the admin's "What
changes") and release-preview.png (the catalog through the preview link) from the desktop JS-on
run.
"""

import os
import re
import time
from datetime import timedelta
from decimal import Decimal
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from e2e.test_buy_something import GOOD_CARD, fill_checkout, money
from e2e.test_edit_the_homepage import banner_actions, block, log_in
from shop.domain.money import to_money
from shop.models import Order, Release, Variant
from tests.factories import make_editor

pytestmark = pytest.mark.e2e

LIVE_HEADING = "Good things, honestly priced"  # What seed_demo publishes.
SALE_HEADING = "Winter sale: knitwear 20% off"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
RELEASE_PERMISSIONS = [
    "manage_releases",
    "time_travel",
    "add_release",
    "change_release",
    "view_release",
    "add_releasepricerule",
    "change_releasepricerule",
    "view_releasepricerule",
    "add_coupon",
    "change_coupon",
    "view_coupon",
]


def save_small(png: bytes, target: Path) -> None:
    """docs/screenshots/take.py's way of keeping a screenshot small (a palette PNG)."""
    take = SourceFileLoader("take_screenshots", str(SCREENSHOTS / "take.py")).load_module()
    take.save_small(png, target)


def make_marketer():
    """The homepage editor of the other journeys, who may also build releases and time travel."""
    user = make_editor("marketer", first_name="Maya")
    user.user_permissions.add(*Permission.objects.filter(codename__in=RELEASE_PERMISSIONS))
    return user


def a_knitwear_variant() -> Variant:
    """A buyable knitwear variant from the demo catalog, with plenty of stock."""
    return (
        Variant.objects.filter(
            product__category__slug="knitwear", product__status="published", stock__gte=3
        )
        .select_related("product")
        .order_by("pk")
        .first()
    )


def sale_price(variant: Variant) -> Decimal:
    return to_money(variant.price * Decimal("0.8"))


def admin_moment(moment) -> tuple[str, str]:
    """The admin's date and time fields for `moment` (the shop's time zone is UTC)."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"


def set_window(page: Page, starts) -> None:
    day, clock = admin_moment(starts)
    fields = page.locator("fieldset").filter(has=page.get_by_label("Name:"))
    fields.get_by_label("Date:").first.fill(day)
    fields.get_by_label("Time:").first.fill(clock)


def fresh(browser: Browser, js: bool) -> Page:
    """A fresh browser context: no cookies, no session, nothing shared with the marketer."""
    return browser.new_context(java_script_enabled=js).new_page()


def test_a_marketer_runs_a_winter_sale_that_goes_live_on_the_second(
    shop: str, page: Page, browser: Browser, js: bool
):
    make_marketer()
    variant = a_knitwear_variant()
    product = variant.product
    shopper = fresh(browser, js)

    # 1. The release, with its percentage off and its coupon, in the admin.
    log_in(page, shop, "marketer")
    page.goto(f"{shop}/admin/shop/release/add/")
    page.get_by_label("Name:").fill("Winter sale")
    set_window(page, timezone.now() + timedelta(days=1))
    # Each inline's first (visible) form; the last is the admin's hidden template for another.
    page.get_by_label("Percent off:").first.fill("20")
    page.get_by_label("Category:").first.select_option(label="Knitwear")
    page.get_by_label("Code:").first.fill("winter20")
    page.get_by_label("Value:", exact=True).first.fill("20")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="What “Winter sale” changes")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(rf" {re.escape(variant.sku)} "))
    ).to_contain_text(money(sale_price(variant)))
    release = Release.objects.get(name="Winter sale")

    # 2. The new hero: edited on the storefront and saved into the release.
    page.goto(f"{shop}/")
    page.get_by_role("button", name="Edit homepage").click()
    hero = block(page, "Hero banner")
    hero.get_by_text("Edit Hero banner").click()
    hero.get_by_label("Heading").fill(SALE_HEADING)
    if not js:
        hero.get_by_role("button", name="Save draft").click()
    expect(block(page, "Hero banner").get_by_role("heading", name=SALE_HEADING)).to_be_visible()
    banner_actions(page)
    page.get_by_label("Release", exact=True).select_option(str(release.pk))
    page.get_by_role("button", name="Save into release").click()
    expect(page.get_by_role("heading", name="What “Winter sale” changes")).to_be_visible()
    homepage = page.get_by_role("region", name="Homepage")
    expect(homepage.get_by_role("row", name=re.compile("Hero banner"))).to_contain_text(
        LIVE_HEADING
    )
    expect(homepage.get_by_role("row", name=re.compile("Hero banner"))).to_contain_text(
        SALE_HEADING
    )
    screenshots = js and os.environ.get("UPDATE_SCREENSHOTS") and page.viewport_size["width"] > 500
    if screenshots:
        save_small(page.screenshot(full_page=True), SCREENSHOTS / "release-changes.png")

    # 3. A preview link, opened in a fresh anonymous browser: the sale as it will be.
    page.get_by_role("button", name="Make a preview link").click()
    link = page.get_by_role("textbox", name="Preview link").input_value()
    guest = fresh(browser, js)
    response = guest.goto(link)
    assert response is not None and response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(guest.get_by_role("heading", name=SALE_HEADING)).to_be_visible()
    guest.get_by_role("button", name="Browse the shop as it will be").click()
    expect(guest.get_by_role("region", name=re.compile("^Preview: the shop on"))).to_be_visible()
    if screenshots:
        guest.set_viewport_size({"width": 1280, "height": 900})
        guest.goto(f"{shop}/catalog/knitwear/?sort=price")
        save_small(guest.screenshot(), SCREENSHOTS / "release-preview.png")
    guest.goto(f"{shop}{product.get_absolute_url()}?variant={variant.pk}")
    expect(guest.locator("#product-price")).to_have_text(money(sale_price(variant)))
    guest.goto(f"{shop}/checkout/")
    expect(guest.get_by_role("status")).to_contain_text("Checkout is off while you preview")

    # ... while the live shop shows none of it.
    shopper.goto(f"{shop}/")
    expect(shopper.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()
    shopper.goto(f"{shop}{product.get_absolute_url()}?variant={variant.pk}")
    expect(shopper.locator("#product-price")).to_have_text(money(variant.price))

    # 4. Scheduled a few seconds ahead.
    page.get_by_role("link", name="Edit the draft").click()
    starts = timezone.now() + timedelta(seconds=12)
    set_window(page, starts)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text(re.compile(r"Scheduled: “Winter sale” goes live"))).to_be_visible()
    release.refresh_from_db()
    assert release.status == "scheduled"

    # 5. On the second: the live shop shows it, with no job run.
    shopper.goto(f"{shop}/")
    expect(shopper.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()
    wait = (release.starts_at - timezone.now()).total_seconds()
    assert wait > 0, "the release started before the live shop was checked"
    time.sleep(wait + 0.2)
    shopper.reload()
    expect(shopper.get_by_role("heading", name=SALE_HEADING)).to_be_visible()
    page.goto(f"{shop}/admin/shop/release/")  # the timeline says so too
    timeline = page.get_by_role("region", name=re.compile(r"^Timeline"))
    expect(timeline.get_by_role("rowheader", name=re.compile(r"^Winter sale Live"))).to_be_visible()

    # 6. A shopper buys at the sale price with WINTER20.
    shopper.goto(f"{shop}{product.get_absolute_url()}?variant={variant.pk}")
    expect(shopper.locator("#product-price")).to_have_text(money(sale_price(variant)))
    shopper.get_by_role("button", name="Add to cart", exact=True).click()
    expect(shopper.get_by_role("status")).to_contain_text("1 in your cart.")
    shopper.goto(f"{shop}/cart/")
    shopper.get_by_label("Coupon code").fill("winter20")
    shopper.get_by_role("button", name="Apply").click()
    expect(shopper.get_by_role("status")).to_contain_text("Coupon WINTER20 applied: 20% off.")
    shopper.get_by_role("link", name="Check out").click()
    fill_checkout(shopper, GOOD_CARD)
    shopper.get_by_role("button", name="Place order and pay").click()
    expect(shopper.get_by_text("Status: Paid")).to_be_visible()
    order = Order.objects.get()
    line = order.lines.get()
    assert (line.unit_price, order.coupon_code) == (sale_price(variant), "WINTER20")

    # 7. Rolled back as a unit: the hero, the prices and the coupon go; the order stays.
    page.goto(f"{shop}/admin/shop/release/{release.pk}/changes/")
    page.get_by_label("Why (kept in its history)").fill("Ends early")
    page.get_by_role("button", name="Roll back").click()
    expect(
        page.get_by_text(re.compile(r"Rolled back: nothing “Winter sale” changed"))
    ).to_be_visible()
    shopper.goto(f"{shop}/")
    expect(shopper.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()
    shopper.goto(f"{shop}{product.get_absolute_url()}?variant={variant.pk}")
    expect(shopper.locator("#product-price")).to_have_text(money(variant.price))
    response = guest.goto(link)
    assert response is not None and response.status == 404
    order.refresh_from_db()
    assert order.lines.get().unit_price == sale_price(variant)

    for other in (shopper, guest):
        other.context.close()

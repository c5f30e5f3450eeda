"""A marketer edits the homepage on the storefront, shares a preview, and publishes it.

With JavaScript the hero's preview changes in place as the marketer types; without it "Save draft"
reloads the full-page preview. Either way the preview link works in a fresh, anonymous browser,
nobody else sees the draft before it is published, and everyone sees it after.

Set UPDATE_SCREENSHOTS=1 to refresh docs/screenshots/homepage-editor.png from the JS-on run.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from e2e.accessibility import disclose
from tests.factories import PASSWORD, make_editor

pytestmark = pytest.mark.e2e

LIVE_HEADING = "Good things, honestly priced"  # What seed_demo publishes.
NEW_HEADING = "Spring sale: linen from £25"
BLOCK_LABEL = re.compile(r" · \d+ of \d+ · ")  # "Hero banner · 1 of 4 · Shown".
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "homepage-editor.png"


def banner_actions(page: Page) -> None:
    """Unfold the editor banner's other actions (folded away on a phone)."""
    disclose(page.get_by_role("region", name=re.compile(r"homepage")).locator("details").first)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/admin/login/?next=/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")


def editor_blocks(page: Page) -> Locator:
    """Each block of the editor is a region labelled by its bar: kind, position, visibility."""
    return page.get_by_role("region", name=BLOCK_LABEL)


def block(page: Page, kind: str) -> Locator:
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(kind)} · "))


def block_texts(page: Page) -> dict[str, str]:
    """{kind and position: visible text} for every block except the hero."""
    texts = {}
    for region in editor_blocks(page).all():
        label = region.get_attribute("aria-labelledby")
        name = page.locator(f"[id='{label}']").inner_text()
        if not name.startswith("Hero banner"):
            texts[name] = region.inner_text()
    return texts


def anonymous_page(browser: Browser, js: bool) -> Page:
    """A fresh browser context: no cookies, no session, nothing shared with the marketer."""
    return browser.new_context(java_script_enabled=js).new_page()


def test_a_marketer_edits_shares_and_publishes_the_homepage(
    shop: str, page: Page, browser: Browser, js: bool
):
    make_editor("marketer", first_name="Maya")
    visitor = anonymous_page(browser, js)
    visitor.goto(f"{shop}/")
    expect(visitor.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()

    log_in(page, shop, "marketer")
    page.get_by_role("button", name="Edit homepage").click()
    expect(page.get_by_role("heading", name="Editing the homepage")).to_be_visible()
    before = block_texts(page)
    assert len(before) >= 4, before  # Promotion, staff picks, new in, categories, words.

    # Edit the hero's heading inline.
    hero = block(page, "Hero banner")
    expect(hero.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()
    hero.get_by_text("Edit Hero banner").click()
    if js:
        page.evaluate("window.__e2eMarker = 1")
    hero.get_by_label("Heading").fill(NEW_HEADING)
    if not js:
        hero.get_by_role("button", name="Save draft").click()
    hero = block(page, "Hero banner")
    expect(hero.get_by_role("heading", name=NEW_HEADING)).to_be_visible()
    expect(hero.get_by_text("Changed", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Saved to your draft.")
    if js:
        assert page.evaluate("window.__e2eMarker === 1"), "the page reloaded"
        if os.environ.get("UPDATE_SCREENSHOTS"):
            page.set_viewport_size({"width": 1280, "height": 1500})
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=SCREENSHOT)

    # Only that block changed.
    banner = page.get_by_role("region", name="You are previewing your homepage draft")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("with 1 change.")
    assert block_texts(page) == before

    # Nobody else sees the draft.
    visitor.reload()
    expect(visitor.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()
    expect(visitor.get_by_text(NEW_HEADING)).to_have_count(0)

    # Compare with live marks the hero, and only the hero, as changed.
    banner_actions(page)
    page.get_by_role("link", name="Compare with live").click()
    changed = page.get_by_role("listitem", name=f"Hero banner: {NEW_HEADING}")
    expect(changed.get_by_text("Changed", exact=True)).to_be_visible()
    expect(changed.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()  # Live side.
    expect(page.get_by_text("Unchanged", exact=True)).to_have_count(len(before))
    banner_actions(page)
    page.get_by_role("link", name="Back to the editor").click()

    # Share a preview link; it works in a fresh anonymous browser, on that URL only.
    banner_actions(page)
    page.get_by_role("button", name="Share preview link").click()
    link_box = page.get_by_role("textbox", name="Preview link")
    expect(link_box).to_have_value(re.compile(rf"^{re.escape(shop)}/preview/[^/]+/$"))
    link = link_box.input_value()
    guest = anonymous_page(browser, js)
    response = guest.goto(link)
    assert response is not None and response.status == 200
    assert "no-store" in response.headers["cache-control"]
    expect(guest.get_by_role("heading", name="Draft preview")).to_be_visible()
    expect(guest.get_by_text("shared by Maya")).to_be_visible()
    expect(guest.get_by_role("heading", name=NEW_HEADING)).to_be_visible()
    guest.get_by_role("link", name="See the live homepage").click()
    expect(guest.get_by_role("heading", name=LIVE_HEADING)).to_be_visible()

    # Publish: the next visitor sees the new homepage; the preview link is spent.
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Published: everyone now sees version 2 of the homepage."
    )
    expect(page.get_by_role("heading", name=NEW_HEADING)).to_be_visible()
    newcomer = anonymous_page(browser, js)
    newcomer.goto(f"{shop}/")
    expect(newcomer.get_by_role("heading", name=NEW_HEADING)).to_be_visible()
    expect(newcomer.get_by_role("heading", name=LIVE_HEADING)).to_have_count(0)
    response = guest.goto(link)
    assert response is not None and response.status == 404

    for other in (visitor, guest, newcomer):
        other.context.close()

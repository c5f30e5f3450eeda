"""Hostile HTML in marketer content runs nothing and fetches nothing, wherever it is shown.

Each payload of tests/hostile_html.py goes into a live custom-HTML block of its own (one payload's
unclosed tag cannot hide the next one) and the whole corpus into a CMS page, straight into the
database, so only the sanitiser at render time stands between them and the browser. Then the
marketer pastes the corpus into a block in the editor, where htmx swaps the preview in. The
browser must show no dialog and make no request to another host, nor any state-changing request
the marketer did not make themselves.
"""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from shop.cache_invalidation import invalidate_live_homepage
from shop.models import DynamicPage, Layout, LayoutBlock
from tests.factories import PASSWORD, DynamicPageFactory, make_editor
from tests.hostile_html import HOSTILE_PAYLOADS

pytestmark = pytest.mark.e2e

CORPUS = "\n".join(HOSTILE_PAYLOADS)
# The only non-GET requests allowed: the marketer's own log-in and editor actions.
OWN_POSTS = ("/admin/login/", "/homepage/edit/", "/homepage/draft/blocks/")


class Watch:
    """Records every dialog and request of a page."""

    def __init__(self, page: Page, origin: str):
        self.origin = origin
        self.dialogs: list[str] = []
        self.requests: list[tuple[str, str]] = []
        page.on("dialog", self._dialog)
        page.on("request", lambda request: self.requests.append((request.method, request.url)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()
        if len(self.dialogs) >= 10:  # A payload that alerts in a loop: stop it, and fail.
            dialog.page.close()

    def unexpected(self) -> list[str]:
        bad = []
        for method, url in self.requests:
            parts = urlsplit(url)
            if url.startswith("data:"):
                bad.append(url[:80])
            elif f"{parts.scheme}://{parts.netloc}" != self.origin:
                bad.append(f"{method} {url} (another host)")
            elif (method != "GET" and not parts.path.startswith(OWN_POSTS)) or any(
                action in parts.path for action in ("/publish/", "/discard/", "/share/")
            ):
                bad.append(f"{method} {url}")
        return bad


def settle(page: Page) -> None:
    """Give anything that would fire after load (hx-trigger="load", autofocus, onload) time to.

    A fixed pause rather than "network idle": a payload that got through could keep the
    network busy forever (hx-get="/" hx-trigger="load" loads itself again and again).
    """
    page.wait_for_timeout(500)


@pytest.fixture
def axe_exclude() -> tuple[str, ...]:
    """The hostile corpus is meant to be bad HTML (images without alt, ...): axe checks the rest."""
    return (".block--custom-html",)


def test_hostile_html_runs_nothing_and_fetches_nothing_else(shop: str, page: Page, js: bool):
    live = Layout.objects.live().get()
    # bulk_create skips save(), so the payloads reach the database unsanitised.
    LayoutBlock.objects.bulk_create(
        LayoutBlock(layout=live, kind="custom_html", region="top", order=100 + i, body=html)
        for i, html in enumerate(HOSTILE_PAYLOADS)
    )
    invalidate_live_homepage()
    hostile_page = DynamicPageFactory(slug="hostile", title="Hostile")
    DynamicPage.objects.filter(pk=hostile_page.pk).update(body=CORPUS)
    make_editor("marketer")
    page.set_default_timeout(10_000)
    watch = Watch(page, shop)

    page.goto(f"{shop}/")
    settle(page)
    expect(page.get_by_text("htmx post")).to_be_visible()  # The text survives, inert.
    expect(page.get_by_text("hx-vals")).to_be_visible()
    page.goto(f"{shop}/hostile/")
    settle(page)
    expect(page.get_by_role("heading", name="Hostile", level=1)).to_be_visible()
    assert watch.dialogs == []
    assert watch.unexpected() == []

    # The marketer pastes the corpus into a new block; htmx swaps the sanitised preview in.
    page.goto(f"{shop}/admin/login/?next=/")
    page.get_by_label("Username").fill("marketer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Edit homepage").click()
    bottom = page.get_by_role("region", name="Bottom region")
    bottom.get_by_label("Add to the bottom region").select_option(label="Custom HTML")
    bottom.get_by_role("button", name="Add block").click()
    added = bottom.get_by_role("region", name="Custom HTML · 2 of 2 · Shown")
    added.get_by_text("Edit Custom HTML").click()
    added.get_by_label("HTML").fill(CORPUS)
    if not js:
        added.get_by_role("button", name="Save draft").click()
        added = page.get_by_role("region", name="Custom HTML · 2 of 2 · Shown")
    # What is left of "<scr<script>ipt>alert('split')</script>": harmless text.
    expect(added).to_contain_text("ipt>alert('split')")
    settle(page)

    assert watch.dialogs == []
    assert watch.unexpected() == []
    assert any(url.endswith("/hostile/") for _, url in watch.requests)  # The watch was on.
    assert Layout.objects.live().get().version == 1  # Nothing was published behind its back.

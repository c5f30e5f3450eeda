"""Read models for CMS pages, and the footer's list of them (cached).

Releases may publish a new page, replace a page's words or take a page down while they are in
force (shop.moment.values.PageChange): both read models take the store `state` they show.
"""

import copy
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from shop import cache_tokens
from shop.models import DynamicPage, PageRedirect
from shop.moment.values import StoreState

# Bump the "v…" when FooterLink changes shape.
FOOTER_KEY = "pages:footer:v3"


@dataclass(frozen=True)
class FooterLink:
    title: str
    url: str


def footer_links(*, state: StoreState) -> tuple[FooterLink, ...]:
    """The CMS pages shown in `state`, by title, for the footer
    of every page.

    The live store's are cached until a page is saved or deleted (shop.cache_invalidation) or
    the releases in force change, so a warm page costs no query for them; one query when cold.
    A time-travel state's are read each time.
    """
    if state.time_travel:
        return _footer_links(state)
    return cache_tokens.cached(
        FOOTER_KEY,
        tokens=[cache_tokens.FOOTER_PAGES, cache_tokens.RELEASES],
        parts=(state.key,),
        compute=lambda: _footer_links(state),
        seconds=settings.HOMEPAGE_CACHE_SECONDS or None,
    )


def _footer_links(state: StoreState) -> tuple[FooterLink, ...]:
    changes = state.effects.pages
    shown = [pk for pk, change in changes.items() if change.shows]
    hidden = [pk for pk, change in changes.items() if not change.shows]
    pages = [
        _as_in(page, state)
        for page in DynamicPage.objects.filter(Q(published=True) | Q(pk__in=shown))
        .exclude(pk__in=hidden)
        .only("slug", "title", "published")
    ]
    return tuple(
        FooterLink(title=page.title, url=page.get_absolute_url())
        for page in sorted(pages, key=lambda page: page.title)
    )


def _as_in(page: DynamicPage, state: StoreState) -> DynamicPage:
    """The page as `state` shows it: a copy carrying the release's words, marked published
    (for display only: `DynamicPage.save` refuses a copy like this)."""
    change = state.effects.pages.get(page.pk)
    if change is None or not change.shows:
        return page
    shown = copy.copy(page)
    shown.published = True
    shown.as_released = True
    if change.action == change.EDIT:
        shown.title = change.title or page.title
        shown.body = change.body
        shown.seo_title = change.seo_title or page.seo_title
        shown.seo_description = change.seo_description or page.seo_description
    return shown


class PageMoved(LookupError):
    """The slug used to belong to a page that now lives at `url`."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def page_by_slug(*, slug: str, include_unpublished: bool = False, state: StoreState) -> DynamicPage:
    """The page at /<slug>/ as `state` shows it: a release in
    force may publish it, give it other words or take it down.

    Raises PageMoved when the slug is a page's old slug (the page is shown, or
    `include_unpublished`), and DynamicPage.DoesNotExist otherwise, unshown pages included
    unless `include_unpublished` (staff previews).
    """
    changes = state.effects.pages
    shown = [pk for pk, change in changes.items() if change.shows]
    hidden = [pk for pk, change in changes.items() if not change.shows]
    pages = DynamicPage.objects.all()
    if not include_unpublished:
        pages = pages.filter(Q(published=True) | Q(pk__in=shown)).exclude(pk__in=hidden)
    page = pages.filter(slug=slug).first()
    if page is not None:
        if include_unpublished and page.pk in hidden:
            return _unpublished(page)
        return _as_in(page, state)
    moved = PageRedirect.objects.filter(old_slug=slug, page__in=pages).select_related("page")
    redirect = moved.first()
    if redirect is not None:
        raise PageMoved(redirect.page.get_absolute_url())
    raise DynamicPage.DoesNotExist(slug)


def _unpublished(page: DynamicPage) -> DynamicPage:
    """A copy of a page a release takes down, as staff preview it (display only)."""
    hidden = copy.copy(page)
    hidden.published = False
    hidden.as_released = True
    return hidden

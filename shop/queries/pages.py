"""Read models for CMS pages, and the footer's list of them (cached)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from shop import cache_tokens
from shop.models import DynamicPage, PageRedirect

# Bump the "v1" when FooterLink changes shape.
FOOTER_KEY = "pages:footer:v1:{token}"


@dataclass(frozen=True)
class FooterLink:
    title: str
    url: str


def footer_links() -> tuple[FooterLink, ...]:
    """The published CMS pages, by title, for the footer of every page.

    Cached until a page is saved or deleted (shop.cache_invalidation), so a warm page costs no
    query for them; one query when cold.
    """
    key = FOOTER_KEY.format(token=cache_tokens.current(cache_tokens.FOOTER_PAGES))
    links = cache.get(key)
    if links is None:
        links = tuple(
            FooterLink(title=page.title, url=page.get_absolute_url())
            for page in DynamicPage.objects.published().only("slug", "title").order_by("title")
        )
        cache.set(key, links, timeout=settings.HOMEPAGE_CACHE_SECONDS or None)
    return links


class PageMoved(LookupError):
    """The slug used to belong to a page that now lives at `url`."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


def page_by_slug(*, slug: str, include_unpublished: bool = False) -> DynamicPage:
    """The page at /<slug>/.

    Raises PageMoved when the slug is a page's old slug (the page is published, or
    `include_unpublished`), and DynamicPage.DoesNotExist otherwise, unpublished pages included
    unless `include_unpublished` (staff previews).
    """
    pages = DynamicPage.objects.all() if include_unpublished else DynamicPage.objects.published()
    page = pages.filter(slug=slug).first()
    if page is not None:
        return page
    moved = PageRedirect.objects.filter(old_slug=slug, page__in=pages).select_related("page")
    redirect = moved.first()
    if redirect is not None:
        raise PageMoved(redirect.page.get_absolute_url())
    raise DynamicPage.DoesNotExist(slug)

"""Read models for CMS pages."""

from shop.models import DynamicPage, PageRedirect


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

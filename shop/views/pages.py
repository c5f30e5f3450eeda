"""CMS pages at /<slug>/ (the catch-all route, last in the URLconf), the sitemap and robots.txt."""

from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from partials.public import public_page
from partials.responses import private_preview, render_page
from shop import cache_tokens
from shop.models import DynamicPage
from shop.moment.middleware import ShopRequest
from shop.queries import pages as pages_queries
from shop.sitemaps import SITEMAPS

PAGE_PREVIEW_PERMISSION = "shop.change_dynamicpage"


def can_preview_pages(user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm(PAGE_PREVIEW_PERMISSION))


@require_safe
@public_page(tokens=lambda request, slug: [cache_tokens.FOOTER_PAGES, cache_tokens.RELEASES])
def page(request: ShopRequest, slug: str) -> HttpResponse:
    """A published page (or one a release in force publishes, with its words); a 301 from an
    old slug; 404 otherwise.

    Staff who may change pages also see unpublished pages here, as a private, noindex preview.
    """
    preview = can_preview_pages(request.user)
    state = request.store
    try:
        found = pages_queries.page_by_slug(slug=slug, include_unpublished=preview, state=state)
    except pages_queries.PageMoved as moved:
        return HttpResponsePermanentRedirect(moved.url)
    except DynamicPage.DoesNotExist:
        raise Http404("No such page.") from None
    response = render_page(request, "shop/page.html", {"page": found})
    response.public_until = state.until  # type: ignore[attr-defined] # a release starts or ends
    return private_preview(response) if not found.published else response


def sitemap(request: HttpRequest) -> HttpResponse:
    """/sitemap.xml: the homepage, the catalog, categories, published products and pages."""
    return sitemap_view(request, sitemaps=SITEMAPS, template_name="seo/sitemap.xml")


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """/robots.txt: keep crawlers out of the admin and the editor, and point them at the sitemap.

    Draft previews are not disallowed on purpose: a crawler must fetch them to see their
    `noindex`, which is what keeps a leaked preview link out of search results.
    """
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /homepage/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('shop:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

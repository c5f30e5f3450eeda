from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from partials.public import public_page
from partials.responses import (
    HttpResponseSeeOther,
    drops_blank_parameters,
    render_page,
)
from shop import cache_tokens
from shop.forms import AddToCartForm, CatalogFilterForm, option_choice
from shop.models import Product
from shop.moment.middleware import ShopRequest
from shop.queries import catalog as catalog_queries
from shop.services import search as search_service


def _catalog_tokens(request: ShopRequest, category_slug: str | None = None) -> list[str]:
    return [cache_tokens.CATALOG_PAGES, cache_tokens.RELEASES, cache_tokens.FOOTER_PAGES]


def _product_tokens(request: ShopRequest, slug: str) -> list[str]:
    return [
        cache_tokens.CATALOG_PAGES,
        cache_tokens.product(slug),
        cache_tokens.RELEASES,
        cache_tokens.FOOTER_PAGES,
    ]


@require_safe
@drops_blank_parameters  # `?q=&min_price=` is a 302 to `/catalog/`, unless htmx asks
@public_page(tokens=_catalog_tokens, seconds=lambda: settings.CATALOG_PAGE_SECONDS)
def catalog(request: ShopRequest, category_slug: str | None = None) -> HttpResponse:
    """The product grid with facets, and search results (`q`). htmx filter changes get the
    results and facet counts only; every link it renders carries no blank parameter.

    Malformed filters are reported and ignored with a 400; an unknown category is a 404; a page
    past the end is an empty 404 that says how many pages there are. A search (`q`) that finds
    nothing is counted in the zero-result report.
    """
    form = CatalogFilterForm(request.GET)
    form.is_valid()
    state = request.store
    try:
        listing = catalog_queries.product_listing(
            filters=form.filters(), category_slug=category_slug, state=state
        )
    except catalog_queries.UnknownCategory:
        raise Http404("No such category.") from None
    if listing.found_nothing_for_search:
        search_service.record_zero_results(text=listing.filters.q)  # cheap; never raises
    errors = form.error_messages()
    status = 400 if errors else 404 if listing.page_out_of_range else 200
    response = render_page(
        request,
        "shop/catalog.html",
        {
            "listing": listing,
            "form": form,
            "errors": errors,
            "query_without_page": form.query(without="page"),
            "query_string": form.query(),
        },
        fragment="catalog-results",
        oob=["catalog-facets", "catalog-categories", "filters-show-count"],
        status=status,
    )
    # Every search that finds nothing is counted, so its page is never served from the cache.
    response.public_store = not listing.found_nothing_for_search  # type: ignore[attr-defined]
    response.public_until = state.until  # type: ignore[attr-defined] # a release starts or ends
    return response


@require_safe
@public_page(tokens=_product_tokens, seconds=lambda: settings.PRODUCT_PAGE_SECONDS)
def product_detail(request: ShopRequest, slug: str) -> HttpResponse:
    """A product page: pictures, price and stock of the chosen options, details, SEO metadata.

    The options are GET parameters (`?colour=Navy&size=M`); htmx asks for the price-and-options
    section again when one changes, with the gallery and details out of band. A value that is
    not one of the product's is reported with a 400 and the default shown instead.
    """
    state = request.store
    try:
        detail = catalog_queries.product_detail(
            slug=slug, chosen=option_choice(request.GET), state=state
        )
    except Product.DoesNotExist:
        raise Http404("No such product.") from None
    selection = detail.selection
    errors = [
        f"There is no {group.label.lower()} like that; showing {group.checked.label}."
        for group in selection.groups
        if group.name in selection.unknown and group.checked
    ]
    response = render_page(
        request,
        "shop/product_detail.html",
        {"detail": detail, "errors": errors},
        fragment="product-buy",
        oob=["product-gallery", "product-details"],
        status=400 if errors else 200,
    )
    response.public_until = state.until  # type: ignore[attr-defined] # a release starts or ends
    return response


@require_POST
def choose_options(request: ShopRequest, slug: str) -> HttpResponse:
    """Without JavaScript, "Show price and stock": back to the product page with these options.

    The options sit in the add-to-cart form, which POSTs; this turns its values into the page's
    GET parameters (303), so the page's URL names the choice and carries no form tokens.
    """
    chosen = option_choice(request.POST, ignore=[*AddToCartForm.base_fields, "csrfmiddlewaretoken"])
    url = reverse("shop:product-detail", kwargs={"slug": slug})
    return HttpResponseSeeOther(f"{url}?{urlencode(chosen)}" if chosen else url)

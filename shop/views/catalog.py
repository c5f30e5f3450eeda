from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from partials.responses import HtmxHttpRequest, render_page
from shop.forms import CatalogFilterForm
from shop.models import Product
from shop.queries import catalog as catalog_queries
from shop.services import search as search_service


@require_safe
def catalog(request: HtmxHttpRequest, category_slug: str | None = None) -> HttpResponse:
    """The product grid with facets. htmx filter changes get the results and facet counts only.

    Malformed filters are reported and ignored with a 400; an unknown category is a 404; a page
    past the end is an empty 404 that says how many pages there are. A search (`q`) that finds
    nothing is counted in the zero-result report.
    """
    form = CatalogFilterForm(request.GET)
    form.is_valid()
    try:
        listing = catalog_queries.product_listing(
            filters=form.filters(), category_slug=category_slug
        )
    except catalog_queries.UnknownCategory:
        raise Http404("No such category.") from None
    if listing.found_nothing_for_search:
        search_service.record_zero_results(text=listing.filters.q)  # cheap; never raises
    errors = form.error_messages()
    status = 400 if errors else 404 if listing.page_out_of_range else 200
    return render_page(
        request,
        "shop/catalog.html",
        {
            "listing": listing,
            "form": form,
            "errors": errors,
            "query_without_page": form.query_without_page(),
            "query_string": request.GET.urlencode(),
        },
        fragment="catalog-results",
        oob=["catalog-facets", "catalog-categories"],
        status=status,
    )


@require_safe
def product_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """A product page: images, attributes, variants with price and stock, SEO metadata."""
    try:
        detail = catalog_queries.product_detail(slug=slug)
    except Product.DoesNotExist:
        raise Http404("No such product.") from None
    return render_page(request, "shop/product_detail.html", {"detail": detail})

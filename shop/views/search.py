"""Suggestions as the shopper types in the search box (the results page is the catalog)."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe

from partials.responses import render_page, wants_fragment
from shop.forms import SearchForm
from shop.moment.middleware import ShopRequest
from shop.queries import search as search_queries


@require_safe
def suggest(request: ShopRequest) -> HttpResponse:
    """The first matching products and their categories for `q`.

    With htmx (the header's search box, as the shopper types) the answer is the listbox the
    combobox shows; without JavaScript it is a page of the same suggestions as links, with a
    link to every result. The same for every visitor (it can be cached whole). Text longer
    than the search box allows is a 400 with no suggestions.
    """
    form = SearchForm(request.GET)
    valid = form.is_valid()
    found = search_queries.suggestions(text=form.text(), state=request.store)
    return render_page(
        request,
        "shop/search_suggest.html",
        {"found": found, "listbox": wants_fragment(request)},
        fragment="search-suggestions",
        status=200 if valid else 400,
    )

from decimal import Decimal

from django.http import QueryDict

from shop.forms import CatalogFilterForm


def form_for(query: str) -> CatalogFilterForm:
    form = CatalogFilterForm(QueryDict(query))
    form.is_valid()
    return form


def test_valid_filters_are_parsed():
    filters = form_for(
        "q=+linen+&min_price=10&max_price=50.5&in_stock=1&sort=price&page=2&colour=red&colour=Blue"
    ).filters()
    assert filters.q == "linen"
    assert filters.min_price == Decimal("10")
    assert filters.max_price == Decimal("50.5")
    assert filters.in_stock is True
    assert filters.sort == "price"
    assert filters.page == 2
    assert filters.attributes == {"colour": ("red", "blue")}


def test_defaults_when_empty():
    filters = form_for("").filters()
    assert (filters.q, filters.min_price, filters.sort, filters.page) == ("", None, "newest", 1)
    assert filters.attributes == {}


def test_bad_values_are_reported_and_ignored():
    form = form_for("min_price=abc&max_price=-3&page=0&sort=bogus&q=" + "x" * 101)
    filters = form.filters()
    assert filters.min_price is None and filters.max_price is None
    assert filters.page == 1 and filters.sort == "newest" and filters.q == ""
    messages = form.error_messages()
    assert any(m.startswith("Min price: Enter a number") for m in messages)
    assert any(m.startswith("Max price:") for m in messages)
    assert any(m.startswith("Sort by:") for m in messages)
    assert len(messages) == 5


def test_huge_page_and_price_are_rejected():
    form = form_for("page=999999999999&min_price=1e30")
    assert form.filters().page == 1
    assert form.filters().min_price is None
    assert len(form.error_messages()) == 2


def test_min_above_max_is_an_error():
    form = form_for("min_price=50&max_price=10")
    assert form.filters().max_price is None
    assert form.filters().min_price == Decimal("50")
    assert "must not be below" in form.error_messages()[0]


def test_attribute_values_that_are_not_slugs_are_reported():
    form = form_for("colour=%3Cscript%3E&colour=red")
    assert form.filters().attributes == {"colour": ("red",)}
    assert "is not a valid colour value" in form.error_messages()[0]


def test_non_slug_keys_are_ignored():
    form = form_for("Bad%20Key=x&utm_source=mail")
    assert form.filters().attributes == {"utm_source": ("mail",)}
    assert form.error_messages() == []

"""Plain forms that validate every input, GET filters included."""

import re
from decimal import Decimal

from django import forms
from django.http import QueryDict

from shop.queries.catalog import SORTS, CatalogFilters

MAX_PRICE = Decimal("1000000")
MAX_PAGE = 100_000
MAX_VALUES_PER_ATTRIBUTE = 20
SLUG_RE = re.compile(r"^[-a-z0-9_]{1,80}$")


class CatalogFilterForm(forms.Form):
    """The catalog's query string. Invalid fields are reported and then ignored, never fatal.

    Keys that are not fields are candidate attribute filters (`?colour=red&colour=blue`); the
    read model decides which of them name real facets.
    """

    q = forms.CharField(label="Search", max_length=100, required=False)
    min_price = forms.DecimalField(
        label="Min price", min_value=0, max_value=MAX_PRICE, decimal_places=2, required=False
    )
    max_price = forms.DecimalField(
        label="Max price", min_value=0, max_value=MAX_PRICE, decimal_places=2, required=False
    )
    in_stock = forms.BooleanField(label="In stock only", required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORTS, required=False)
    page = forms.IntegerField(min_value=1, max_value=MAX_PAGE, required=False)

    def __init__(self, data: QueryDict, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.attribute_errors: list[str] = []

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price must not be below the minimum price.")
        return cleaned

    def attribute_selections(self) -> dict[str, tuple[str, ...]]:
        """Return {attribute slug: value slugs} from the non-field keys that look like slugs."""
        selections: dict[str, tuple[str, ...]] = {}
        for key in self.data:
            if key in self.fields or not SLUG_RE.match(key):
                continue
            values = [v.strip().lower() for v in self.data.getlist(key) if v.strip()]
            bad = [v for v in values if not SLUG_RE.match(v)]
            if bad:
                self.attribute_errors.append(f"“{bad[0][:40]}” is not a valid {key} value.")
            values = [v for v in values if SLUG_RE.match(v)][:MAX_VALUES_PER_ATTRIBUTE]
            if values:
                selections[key] = tuple(dict.fromkeys(values))
        return selections

    def filters(self) -> CatalogFilters:
        """The valid part of the query as CatalogFilters (call after is_valid())."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return CatalogFilters(
            q=(data.get("q") or "").strip(),
            min_price=data.get("min_price"),
            max_price=data.get("max_price") if "max_price" not in self.errors else None,
            in_stock=bool(data.get("in_stock")),
            sort=data.get("sort") or "newest",
            page=data.get("page") or 1,
            attributes=self.attribute_selections(),
        )

    def error_messages(self) -> list[str]:
        messages = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            label = label or name.replace("_", " ").capitalize()
            messages.extend(f"{label}: {e}" for e in errors)
        return messages + self.attribute_errors

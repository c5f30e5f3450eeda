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


# Cart and checkout --------------------------------------------------------------------------

QUANTITY_ERROR = "Choose a quantity from 1 to 99."


class AddToCartForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        max_value=2**62,
        error_messages={"required": "Choose an option.", "invalid": "Choose an option."},
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=99,
        initial=1,
        error_messages={
            "required": QUANTITY_ERROR,
            "invalid": QUANTITY_ERROR,
            "min_value": QUANTITY_ERROR,
            "max_value": QUANTITY_ERROR,
        },
    )
    next = forms.CharField(required=False, max_length=500)


class QuantityForm(forms.Form):
    """A cart line's new quantity; 0 removes the line."""

    quantity = forms.IntegerField(
        min_value=0,
        max_value=99,
        error_messages={
            "required": QUANTITY_ERROR,
            "invalid": QUANTITY_ERROR,
            "min_value": QUANTITY_ERROR,
            "max_value": QUANTITY_ERROR,
        },
    )


class CouponForm(forms.Form):
    code = forms.CharField(
        label="Coupon code",
        max_length=40,
        error_messages={"required": "Enter a coupon code.", "max_length": "That is not a code."},
    )


COUNTRIES = [("GB", "United Kingdom"), ("IE", "Ireland")]
CARD_DIGITS = re.compile(r"^\d{12,19}$")


def luhn_valid(number: str) -> bool:
    """The card-number checksum every card scheme uses (catches typos before the gateway)."""
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


class CheckoutForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=120)
    address_line1 = forms.CharField(label="Address", max_length=200)
    address_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    city = forms.CharField(label="Town or city", max_length=100)
    postcode = forms.CharField(label="Postcode", max_length=20)
    country = forms.ChoiceField(label="Country", choices=COUNTRIES, initial="GB")
    shipping = forms.ChoiceField(label="Delivery")
    payment_method = forms.ChoiceField(label="Payment", choices=[("card", "Card")], initial="card")
    card_number = forms.CharField(label="Card number", max_length=30)
    checkout_token = forms.UUIDField(widget=forms.HiddenInput)
    quote = forms.CharField(widget=forms.HiddenInput, max_length=20_000)

    def __init__(self, *args, shipping_methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipping"].choices = [(m.code, m.name) for m in shipping_methods]
        if shipping_methods:
            self.fields["shipping"].initial = shipping_methods[0].code

    def clean_card_number(self) -> str:
        number = "".join(self.cleaned_data["card_number"].split()).replace("-", "")
        if not CARD_DIGITS.match(number) or not luhn_valid(number):
            raise forms.ValidationError("Enter a valid card number.")
        return number

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())


# Accounts and wishlist ----------------------------------------------------------------------


class LoginForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(label="Password", max_length=256, strip=False)
    next = forms.CharField(required=False, max_length=500)


class SignupForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(label="Password", max_length=256, strip=False)
    next = forms.CharField(required=False, max_length=500)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if email and password:
            from django.contrib.auth import get_user_model
            from django.contrib.auth.password_validation import validate_password

            try:
                validate_password(password, get_user_model()(username=email, email=email))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class WishlistToggleForm(forms.Form):
    """The desired state of one product in the wishlist: saved ("on") or not ("off")."""

    product = forms.IntegerField(min_value=1, max_value=2**62)
    state = forms.ChoiceField(choices=[("on", "Saved"), ("off", "Not saved")])
    next = forms.CharField(required=False, max_length=500)


class MoveToCartForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        max_value=2**62,
        error_messages={"required": "Choose an option.", "invalid": "Choose an option."},
    )


class PriceAlertsForm(forms.Form):
    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])

"""Plain forms that validate every input, GET filters included."""

import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.http import QueryDict
from django.utils import timezone

from partials.responses import without_blank_parameters
from shop import tasks
from shop.domain import pricing
from shop.domain.customers import is_customer
from shop.domain.pricing import Confirmed
from shop.models import LayoutBlock, Product, ShippingMethod
from shop.models.blocks import BLOCK_KINDS
from shop.models.layout import MAX_FEATURED_PRODUCTS
from shop.moment.values import StoreState
from shop.queries import catalog as catalog_queries
from shop.queries.cart import CheckoutReview
from shop.queries.catalog import SORTS, CatalogFilters
from shop.queries.layout import BlockChoices
from shop.sanitising import is_safe_link
from shop.services.checkout import CheckoutDetails

MAX_PRICE = Decimal("1000000")
MAX_PAGE = 100_000
MAX_VALUES_PER_ATTRIBUTE = 20
MAX_OPTION_LENGTH = 80
SLUG_RE = re.compile(r"^[-a-z0-9_]{1,80}$")


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's own copy of the choice field `name`, whose choices are set per instance."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field.")
    return field


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

    data: QueryDict  # The query string itself (getlist), never a plain mapping.

    def __init__(self, data: QueryDict, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.attribute_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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
        messages: list[str] = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            label = label or name.replace("_", " ").capitalize()
            messages.extend(f"{label}: {e}" for e in errors)
        return messages + self.attribute_errors

    def query(self, without: str | None = None) -> str:
        """The query string as given, in its order, without blank values (a form without
        JavaScript sends `q=&min_price=`) and without the key `without`: what the page's
        links build on (`without="page"`: what pagination links append a page to)."""
        given = [(key, value) for key, values in self.data.lists() for value in values]
        return without_blank_parameters(urlencode([(k, v) for k, v in given if k != without]))


# Cart and checkout --------------------------------------------------------------------------

QUANTITY_ERROR = "Choose a quantity from 1 to 99."


def option_choice(data: Mapping[str, Any], ignore: Sequence[str] = ()) -> dict[str, str]:
    """The product options a GET or POST names ({"colour": "Navy", "size": "M"}).

    Any other key is a candidate option name; overlong values are dropped (no option has one).
    """
    return {
        key: value
        for key, value in data.items()
        if key not in ignore and isinstance(value, str) and len(value) <= MAX_OPTION_LENGTH
    }


class AddToCartForm(forms.Form):
    """A variant: by its id (`variant`), or by its product and options (`product`, `size`, ...)."""

    variant = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={"invalid": "Choose an option."},
    )
    product = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={"invalid": "Choose an option."},
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
    # Which submission this is (a double click sends the same one twice), and the id of the
    # hidden input holding it, which an htmx answer refreshes for the next add.
    request_id = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False)
    request_input = forms.RegexField(regex=r"^add-request-[0-9a-z-]{1,40}$", required=False)

    def __init__(self, *args, state: StoreState, **kwargs):
        super().__init__(*args, **kwargs)
        self.state = state  # the store the shopper sees (`request.store`)

    def clean(self) -> dict[str, Any]:
        """Resolve `product` and its options to `variant` (one query), unless a variant is given."""
        cleaned = super().clean() or {}
        if self.errors or cleaned.get("variant"):
            return cleaned
        if not cleaned.get("product"):
            raise forms.ValidationError("Choose an option.")
        chosen = option_choice(self.data, ignore=[*self.fields, "csrfmiddlewaretoken"])
        try:
            cleaned["variant"] = catalog_queries.variant_for_choice(
                product_id=cleaned["product"], chosen=chosen, state=self.state
            )
        except catalog_queries.OptionUnavailable as error:
            raise forms.ValidationError(error.message) from None
        return cleaned


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

    QUOTE_EXPIRED = "Your review page expired or was altered. Please check your order again."
    HIDDEN = ("checkout_token", "quote")

    def __init__(self, *args, shipping_methods: Sequence[ShippingMethod] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.shipping_methods = list(shipping_methods)
        choice_field(self, "shipping").choices = [(m.code, m.name) for m in shipping_methods]
        if shipping_methods:
            self.fields["shipping"].initial = shipping_methods[0].code

    @classmethod
    def for_review(
        cls, review: CheckoutReview, *, data=None, shipping: str | None = None, customer=None
    ) -> "CheckoutForm":
        """The review page's form: the cart's checkout token and the signed quote it shows.

        `data` re-fills what the shopper typed (never the card number, never the old token or
        quote); otherwise `shipping` preselects a known delivery option and a logged-in
        `customer`'s e-mail address fills the e-mail field.
        """
        methods = review.shipping_methods
        hidden = {"checkout_token": str(review.cart.checkout_token), "quote": review.quote.signed()}
        if data is not None:
            typed = {k: v for k, v in data.items() if k not in {"card_number", *cls.HIDDEN}}
            return cls(initial={**typed, **hidden}, shipping_methods=methods)
        initial = {**hidden}
        if shipping in {m.code for m in methods}:
            initial["shipping"] = shipping
        if is_customer(customer):
            initial["email"] = customer.email
        return cls(initial=initial, shipping_methods=methods)

    @property
    def shipping_code(self) -> str:
        """The delivery option chosen (or preselected), which the totals are shown for."""
        methods = self.shipping_methods
        return self["shipping"].value() or (methods[0].code if methods else "")

    @property
    def only_the_quote_failed(self) -> bool:
        """The fields are fine but the signed quote is missing, altered or too old."""
        return set(self.errors) == {"quote"}

    def clean_card_number(self) -> str:
        number = "".join(self.cleaned_data["card_number"].split()).replace("-", "")
        if not CARD_DIGITS.match(number) or not luhn_valid(number):
            raise forms.ValidationError("Enter a valid card number.")
        return number

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())

    def clean_quote(self) -> Confirmed:
        try:
            return pricing.read_signed(self.cleaned_data["quote"])
        except pricing.QuoteTampered:
            raise forms.ValidationError(self.QUOTE_EXPIRED, code="tampered") from None

    def submission(self) -> dict:
        """What `checkout.submit` takes from a valid form: token, confirmed quote, details, card."""
        data = self.cleaned_data
        details = CheckoutDetails(
            email=data["email"],
            full_name=data["full_name"],
            address_line1=data["address_line1"],
            address_line2=data["address_line2"],
            city=data["city"],
            postcode=data["postcode"],
            country=data["country"],
            shipping_code=data["shipping"],
            payment_method=data["payment_method"],
        )
        return {
            "checkout_token": data["checkout_token"],
            "confirmed": data["quote"],
            "details": details,
            "card_number": data["card_number"],
        }


# Accounts and wishlist ----------------------------------------------------------------------


class LoginForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(
        label="Password",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )
    next = forms.CharField(required=False, max_length=500)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset form, except that its e-mail is a task: asking for a reset never
    waits for the mail server, and a mail server that is down only delays the e-mail."""

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        tasks.send_password_reset.enqueue(
            user_id=context["user"].pk,
            domain=context["domain"],
            protocol=context["protocol"],
            claim=uuid.uuid4().hex,
        )


class SignupForm(forms.Form):
    email = forms.EmailField(label="Email", max_length=254)
    password = forms.CharField(
        label="Password",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
    )
    next = forms.CharField(required=False, max_length=500)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
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
    """The desired state of one product in the wishlist: saved ("on") or not ("off"), and the
    variant the shopper was looking at (the product page's heart sends it; a card's does not)."""

    product = forms.IntegerField(min_value=1, max_value=2**62)
    state = forms.ChoiceField(choices=[("on", "Saved"), ("off", "Not saved")])
    variant = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    next = forms.CharField(required=False, max_length=500)


class MoveToCartForm(forms.Form):
    variant = forms.IntegerField(
        min_value=1,
        max_value=2**62,
        error_messages={"required": "Choose an option.", "invalid": "Choose an option."},
    )


class PriceAlertsForm(forms.Form):
    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])


# Homepage layout and CMS pages (issue 5) --------------------------------------------------------
#
# One form per block kind, all sharing the region and the visibility window. They never query to
# render: category and attribute choices come in as `choices` (loaded once per page).

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
PRODUCT_PATH_RE = re.compile(r"/products/(?P<slug>[-a-zA-Z0-9_]+)/?$")


class LinkField(forms.CharField):
    """A call-to-action link: a path on this site ("/catalog/") or an http(s) URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 500)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "A path on this shop, like /catalog/, or an https:// URL.")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value).strip()
        if value and not is_safe_link(value):
            raise forms.ValidationError("Use a path on this shop (/…) or an http(s):// address.")
        return value


def window_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="Optional.",
    )


class BlockForm(forms.Form):
    """The fields every block has. `changes()` gives what services.layout.update_block takes."""

    region = forms.ChoiceField(choices=LayoutBlock.Region.choices)
    starts_at = window_field("Show from")
    ends_at = window_field("Show until")

    def __init__(self, *args, choices: BlockChoices | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = choices
        # What the block shows first; where and when it shows last.
        common = ["region", "starts_at", "ends_at"]
        self.order_fields([name for name in self.fields if name not in common] + common)

    @classmethod
    def initial_for(cls, block: LayoutBlock) -> dict:
        """The form's initial data from a block (loaded by the layout read model)."""
        initial = {name: getattr(block, name) for name in cls.base_fields if hasattr(block, name)}
        for name in ("starts_at", "ends_at"):
            if initial.get(name):
                initial[name] = timezone.localtime(initial[name])
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "“Show until” must be after “Show from”.")
        return cleaned

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


@BLOCK_KINDS.form_for(LayoutBlock.Kind.HERO)
class HeroBlockForm(BlockForm):
    heading = forms.CharField(max_length=160)
    text = forms.CharField(max_length=600, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    image_alt = forms.CharField(
        label="Image alt text",
        max_length=200,
        required=False,
        help_text="What the picture shows, for people who cannot see it.",
    )
    cta_label = forms.CharField(label="Button label", max_length=60, required=False)
    cta_url = LinkField(label="Button link")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("cta_label")) != bool(cleaned.get("cta_url")):
            self.add_error("cta_url", "Give the button both a label and a link, or neither.")
        return cleaned


@BLOCK_KINDS.form_for(LayoutBlock.Kind.PROMO_BANNER)
class PromoBannerBlockForm(HeroBlockForm):
    # Django drops a parent's declared field that a subclass sets to None; the stubs don't know.
    image_alt = None  # type: ignore[assignment]
    tone = forms.ChoiceField(choices=LayoutBlock.Tone.choices)


@BLOCK_KINDS.form_for(LayoutBlock.Kind.FEATURED_PRODUCTS)
class FeaturedProductsBlockForm(BlockForm):
    heading = forms.CharField(max_length=160)
    product_source = forms.ChoiceField(
        label="Products to show",
        choices=LayoutBlock.ProductSource.choices,
        widget=forms.RadioSelect,
    )
    products = forms.CharField(
        label="Chosen products",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One product link (or its last part) per line, in the order to show them.",
    )
    rule_category = forms.ChoiceField(label="Category", required=False)
    rule_attribute_value = forms.ChoiceField(label="Attribute", required=False)
    product_count = forms.IntegerField(
        label="How many", min_value=1, max_value=MAX_FEATURED_PRODUCTS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = self.choices or BlockChoices(categories=[], attribute_values=[])
        choice_field(self, "rule_category").choices = [("", "The whole shop"), *choices.categories]
        choice_field(self, "rule_attribute_value").choices = [
            ("", "Choose…"),
            *choices.attribute_values,
        ]

    @classmethod
    def initial_for(cls, block: LayoutBlock) -> dict:
        initial = super().initial_for(block)
        # chosen_rows is the layout read model's Prefetch(to_attr=...), unknown to LayoutBlock.
        rows = block.chosen_rows  # type: ignore[attr-defined]
        initial["products"] = "\n".join(row.product.slug for row in rows)
        initial["rule_category"] = str(block.rule_category_id or "")
        initial["rule_attribute_value"] = str(block.rule_attribute_value_id or "")
        return initial

    def clean_products(self) -> list[Product]:
        slugs = []
        for line in self.cleaned_data["products"].splitlines():
            line = line.strip()
            if not line:
                continue
            match = PRODUCT_PATH_RE.search(line)
            slug = match["slug"] if match else line.strip("/")
            if slug not in slugs:
                slugs.append(slug)
        if len(slugs) > MAX_FEATURED_PRODUCTS:
            raise forms.ValidationError(f"Choose at most {MAX_FEATURED_PRODUCTS} products.")
        found = Product.objects.in_bulk(slugs, field_name="slug") if slugs else {}
        unknown = [s for s in slugs if s not in found]
        if unknown:
            raise forms.ValidationError(
                f"No product has the link “{unknown[0][:80]}”"
                + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                + "."
            )
        return [found[s] for s in slugs]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        source = cleaned.get("product_source")
        if source == LayoutBlock.ProductSource.ATTRIBUTE and not cleaned.get(
            "rule_attribute_value"
        ):
            self.add_error("rule_attribute_value", "Choose the attribute the products must have.")
        chose_none = not cleaned.get("products") and "products" not in self.errors
        if source == LayoutBlock.ProductSource.CHOSEN and chose_none:
            self.add_error("products", "Choose at least one product.")
        return cleaned

    def changes(self) -> dict:
        changes = super().changes()
        for name in ("rule_category", "rule_attribute_value"):
            value = changes.pop(name)
            changes[f"{name}_id"] = int(value) if value else None
        return changes


@BLOCK_KINDS.form_for(LayoutBlock.Kind.CATEGORY_GRID)
class CategoryGridBlockForm(BlockForm):
    heading = forms.CharField(max_length=160, required=False)
    categories = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: the top-level categories.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "categories").choices = self.choices.categories if self.choices else []

    @classmethod
    def initial_for(cls, block: LayoutBlock) -> dict:
        initial = super().initial_for(block)
        # chosen_categories is the layout read model's Prefetch(to_attr=...), like chosen_rows.
        chosen = block.chosen_categories  # type: ignore[attr-defined]
        initial["categories"] = [str(c.pk) for c in chosen]
        return initial

    def changes(self) -> dict:
        changes = super().changes()
        changes["categories"] = [int(pk) for pk in changes["categories"]]
        return changes


@BLOCK_KINDS.form_for(LayoutBlock.Kind.RICH_TEXT)
class RichTextBlockForm(BlockForm):
    heading = forms.CharField(max_length=160, required=False)
    body = forms.CharField(
        label="Text (HTML)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        help_text="Paragraphs, headings, lists and links; anything else is removed.",
    )


@BLOCK_KINDS.form_for(LayoutBlock.Kind.CUSTOM_HTML)
class CustomHtmlBlockForm(BlockForm):
    body = forms.CharField(
        label="HTML",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "code"}),
        help_text="Scripts, styles, event handlers and images from other sites are removed.",
    )


def block_form(kind: str) -> type[BlockForm]:
    """The editor form of a block kind (shop.models.blocks: each registers its own)."""
    form_class = BLOCK_KINDS[kind].form
    if form_class is None or not issubclass(form_class, BlockForm):
        raise LookupError(f"No block form is registered for {kind!r}.")
    return form_class


class BlockImageForm(forms.Form):
    """Upload a hero image, or remove it."""

    image = forms.ImageField(required=False)
    remove = forms.BooleanField(label="Remove the image", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        image = cleaned.get("image")
        if image and image.size > MAX_IMAGE_BYTES:
            self.add_error("image", "Choose an image of 5 MB or less.")
        elif not image and not cleaned.get("remove") and not self.errors:
            raise forms.ValidationError("Choose an image to upload.")
        return cleaned


class AddBlockForm(forms.Form):
    kind = forms.ChoiceField(label="Block", choices=LayoutBlock.Kind.choices)
    region = forms.ChoiceField(choices=LayoutBlock.Region.choices)


class MoveBlockForm(forms.Form):
    position = forms.IntegerField(min_value=1, max_value=1000)


class StateForm(forms.Form):
    """A switch carrying the state wanted (`state=on` or `state=off`), never a blind toggle."""

    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])

    @property
    def on(self) -> bool:
        return self.cleaned_data["state"] == "on"


class RevisionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class SearchForm(forms.Form):
    """The search box's text, for suggestions as the shopper types (shop.views.search)."""

    q = forms.CharField(label="Search", max_length=100, required=False)

    def text(self) -> str:
        """The text to suggest for (call after is_valid()); empty when it was invalid."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return (data.get("q") or "").strip()


# Releases (issue 12) ----------------------------------------------------------------------------


class TimeTravelForm(forms.Form):
    """Where a staff member's time travel goes: a moment, a release (at its start, or now once
    it has started), or both; `state=off` comes back to the live store."""

    state = forms.ChoiceField(choices=[("on", "On"), ("off", "Off")])
    at = forms.DateTimeField(
        label="See the shop at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}),
        input_formats=[
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
        ],
    )
    release = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    next = forms.CharField(required=False, max_length=500)

    @property
    def on(self) -> bool:
        return self.cleaned_data["state"] == "on"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("state") == "on" and not (cleaned.get("at") or cleaned.get("release")):
            raise forms.ValidationError("Choose a moment or a release to see.")
        return cleaned


class SaveIntoReleaseForm(forms.Form):
    """Which draft release the homepage draft goes into (choices: the releases one may change)."""

    release = forms.TypedChoiceField(label="Release", coerce=int, choices=[])

    def __init__(self, *args, releases: Sequence[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choice_field(self, "release").choices = list(releases)

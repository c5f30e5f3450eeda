"""Template filters and tags for money and structured data."""

import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils.html import json_script
from django.utils.safestring import SafeString

register = template.Library()
CENT = Decimal("0.01")


@register.filter
def money(value) -> str:
    """Format a Decimal amount as "£1,234.50"; empty for None. Never goes through float."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{settings.CURRENCY_SYMBOL}{amount:,.2f}"


@register.filter
def plain_amount(value) -> str:
    """ "12.50": the amount as schema.org and Open Graph want it."""
    return str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


@register.simple_tag(takes_context=True)
def product_json_ld(context, detail) -> SafeString:
    """A schema.org Product with one Offer per variant, matching the prices and stock shown."""
    request = context["request"]
    product = detail.product
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description[:500],
        "sku": detail.variants[0].sku if detail.variants else "",
        "url": request.build_absolute_uri(product.get_absolute_url()),
        "category": product.category.name,
        "offers": [
            {
                "@type": "Offer",
                "sku": v.sku,
                "name": v.name,
                "price": plain_amount(v.price),
                "priceCurrency": settings.CURRENCY,
                "availability": v.availability.schema_org,
                "url": request.build_absolute_uri(detail.url_for(v)),
            }
            for v in detail.variants
        ],
    }
    if detail.primary_image:
        data["image"] = request.build_absolute_uri(detail.primary_image.image.url)
    script = json_script(data, "product-json-ld")
    # json_script escapes <, > and & so the payload cannot close the script element.
    return SafeString(script.replace('type="application/json"', 'type="application/ld+json"'))


@register.simple_tag(takes_context=True)
def query_with(context, base: str, **params) -> str:
    """`base` (an urlencoded query) with `params` set, e.g. {% query_with q page=2 %}."""
    query = QueryDict(base, mutable=True)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def query_without(base: str, key: str, value: str | None = None) -> str:
    """`base` without `key` (only its `value`, if given) and without `page`: a chip's link."""
    query = QueryDict(base, mutable=True)
    kept = [v for v in query.getlist(key) if value is not None and v != value]
    query.setlist(key, kept)
    query.pop("page", None)
    return query.urlencode()


@register.filter
def total_for(quote, shipping_code: str):
    """The quote's total with the delivery option `shipping_code`."""
    return quote.total(shipping_code)


@register.filter
def shipping_for(quote, shipping_code: str):
    return quote.shipping_price(shipping_code)


@register.filter
def tax_for(quote, shipping_code: str):
    """The VAT inside the total with that delivery option."""
    return quote.tax(shipping_code)


@register.simple_tag
def new_request_id() -> str:
    """A fresh id for one form submission (see shop.services.cart.add_item)."""
    return uuid.uuid4().hex

"""Template filters and tags for money and structured data."""

from collections import OrderedDict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from django import template
from django.conf import settings
from django.template import loader
from django.urls import reverse
from django.utils.html import format_html, json_script
from django.utils.safestring import SafeString

from partials import memories
from shop.queries.search import SearchPlan
from shop.templatetags.search_tags import highlight as highlight_words

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
                "price": plain_amount(v.price_now),
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


def _query(base: str) -> dict[str, list[str]]:
    """An urlencoded query as QueryDict reads it (each key's values together, keys in the order
    first seen), parsed by urllib: a third of QueryDict's cost, on every listing's links."""
    grouped: dict[str, list[str]] = {}
    for key, value in parse_qsl(base, keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    return grouped


@register.simple_tag(takes_context=True)
def query_with(context, base: str, **params) -> str:
    """`base` (an urlencoded query) with `params` set, e.g. {% query_with q page=2 %}."""
    query = _query(base)
    for key, value in params.items():
        query[key] = [str(value)]
    return urlencode(query, doseq=True)


@register.simple_tag
def query_without(base: str, key: str, value: str | None = None) -> str:
    """`base` without `key` (only its `value`, if given) and without `page`: a chip's link."""
    query = _query(base)
    query[key] = [v for v in query.get(key, ()) if value is not None and v != value]
    query.pop("page", None)
    return urlencode(query, doseq=True)


@register.filter
def as_query(query: str) -> str:
    """`?query` to append to a path, or nothing for an empty query (never a bare `?`)."""
    return f"?{query}" if query else ""


@register.simple_tag
def picture(image, sizes: str, lazy: bool = False, alt: str | None = None) -> SafeString:
    """A ProductImage as a `<picture>`: its AVIF and WebP renditions (when written) in front of
    the original. `sizes`, the width it is shown at; `lazy`, whether it waits until it is near
    the viewport; `alt`, the image's own alt text by default ("" for a decorative picture).

    Written here rather than as an included template: it is on every card, and an include of
    its dozen variables cost about 150 µs a picture against about 20 µs here.
    """
    sources = SafeString(
        "".join(
            format_html(
                '<source type="{}" srcset="{}" sizes="{}">', source["type"], source["srcset"], sizes
            )
            for source in image.sources
        )
    )
    return format_html(
        '<picture>{}<img src="{}" alt="{}" width="{}" height="{}" loading="{}"></picture>',
        sources,
        image.image.url,
        image.alt if alt is None else alt,
        image.width,
        image.height,
        "lazy" if lazy else "eager",
    )


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


# Cards rendered by this process, keyed on everything a card shows (see `product_cards`).
_rendered_cards: OrderedDict[tuple, str] = OrderedDict()
memories.register("rendered cards", _rendered_cards.clear)
RENDERED_CARDS_KEPT = 4000


def _card_key(card, name_html: str, lazy: bool, actions: bool) -> tuple:
    return (card.content_key, name_html, lazy, actions)


@register.simple_tag
def product_cards(
    cards, eager: int = 0, actions: bool = False, highlight: SearchPlan | None = None
) -> SafeString:
    """The product cards of a grid (`components/product_card.html`), each rendered once per
    process for what it shows.

    A card is the same HTML for every visitor and on every page (the shopper's parts, and the
    page it goes back to, are holes), so its output is kept, keyed on everything it shows:
    a changed price, name, picture or stock state is another key, never a stale card. So a
    listing never renders a card this process rendered before. `eager`: how many of the first
    cards load their picture at once; `actions`: the heart and "Add to cart"; `highlight`: a
    search whose matched words the names mark.
    """
    template = loader.get_template("components/product_card.html")
    urls: dict[str, str] = {}  # reversed at the first card not kept, once per grid
    out = []
    for number, card in enumerate(cards, 1):
        name_html = highlight_words(card.name, highlight)
        key = _card_key(card, name_html, number > eager, actions)
        html = _rendered_cards.get(key)
        if html is None:
            if not urls:
                urls["add_url"] = reverse("shop:cart-add") if actions else ""
                urls["wish_url"] = reverse("shop:wishlist-items") if actions else ""
            html = template.render(
                {
                    "card": card,
                    "product": card,  # the heart's name for it
                    "request_key": card.pk,  # the add form's submission id
                    "name_html": name_html,
                    "lazy": number > eager,
                    "actions": actions,
                    **urls,
                }
            )
            _rendered_cards[key] = html
            while len(_rendered_cards) > RENDERED_CARDS_KEPT:
                _rendered_cards.popitem(last=False)
        out.append(html)
    return SafeString("".join(out))

"""The demo's homepage layout and CMS pages, for `manage.py seed_demo` (idempotent).

The first run publishes a believable homepage (promotion, hero, staff picks, newest products,
categories, a few words about the shop) as version 1; later runs leave whatever marketers
published since alone. Pages are created when their slug is missing and never overwritten.
"""

from pathlib import Path
from typing import Any

from django.conf import settings

from shop.cache_invalidation import invalidate_live_homepage
from shop.models import DynamicPage, LayoutBlock, Product
from shop.moment.resolve import resolve
from shop.services import layout as layout_services

HERO_IMAGE = "layout/demo/hero.png"
HERO_SIZE = (960, 540)
STAFF_PICKS = 4


def _pages() -> list[dict[str, Any]]:
    """The demo's CMS pages (the footer links to each): what the shop is, delivery and
    returns, how to reach it and what it keeps about shoppers; the footer's settings in words."""
    days, email = settings.RETURNS_DAYS, settings.SHOP_CONTACT_EMAIL
    returns = (
        f"<p>Returns are free: send anything back unused within {days} days for a full refund.</p>"
        if days
        else "<p>Send anything back unused and we refund it in full.</p>"
    )
    return [
        {
            "slug": "about",
            "title": "About us",
            "seo_title": "About Storefront",
            "seo_description": "Who we are, where our things come from, and how we run the shop.",
            "body": (
                "<p>Storefront is a small shop for clothing, homeware and outdoor gear from "
                "independent makers.</p>"
                "<h2>What we sell</h2>"
                "<p>Things made to last, at honest prices. Every product page says exactly how "
                "many are in stock, so you never order something we do not have.</p>"
                "<h2>Where it ships from</h2>"
                "<p>Our own warehouses in London and Manchester. See "
                '<a href="/delivery-and-returns/">delivery and returns</a>.</p>'
            ),
        },
        {
            "slug": "delivery-and-returns",
            "title": "Delivery and returns",
            "seo_description": "Delivery times and costs, and how to send something back.",
            "body": (
                "<p>Orders placed before 2pm on a working day leave the same day.</p>"
                "<ul><li>Standard delivery: £3.95, 2 to 4 working days.</li>"
                "<li>Express delivery: £8.95, the next working day.</li></ul>"
                f"<h2>Returns</h2>{returns}"
            ),
        },
        {
            "slug": "contact",
            "title": "Contact us",
            "seo_description": "How to reach us about an order, a product or a return.",
            "body": (
                f'<p>E-mail <a href="mailto:{email}">{email}</a>. '
                f"{settings.SHOP_CONTACT_HOURS}</p>"
                "<p>About an order? Put its number in the subject, and we will find it at once.</p>"
            ),
        },
        {
            "slug": "privacy",
            "title": "Privacy policy",
            "seo_description": "What we keep about you, why, and for how long.",
            "body": (
                "<p>We keep what an order needs: your name, address and e-mail, and what you "
                "bought. Card numbers go to our payment provider and never reach us.</p>"
                "<p>A cookie keeps your cart and wishlist on this device; we use no advertising "
                "or tracking cookies.</p>"
                f'<p>To see or delete what we hold about you, write to <a href="mailto:{email}">'
                f"{email}</a>.</p>"
            ),
        },
    ]


def _hero_image() -> str:
    """Generate the hero picture once (abstract shapes in the shop's colours)."""
    path = Path(settings.MEDIA_ROOT) / HERO_IMAGE
    if not path.exists():
        from PIL import Image, ImageDraw

        path.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new("RGB", HERO_SIZE, (244, 239, 230))
        draw = ImageDraw.Draw(image)
        draw.rounded_rectangle([80, 90, 520, 470], radius=48, fill=(31, 79, 70))
        draw.ellipse([420, 140, 760, 480], fill=(194, 86, 43))
        draw.rectangle([640, 60, 880, 300], fill=(222, 184, 52))
        image.save(path, optimize=True)
    return HERO_IMAGE


def _demo_blocks() -> list[dict[str, Any]]:
    shown = Product.objects.published(resolve()).in_stock()
    picks = list(shown.order_by("pk")[: STAFF_PICKS * 3 : 3])
    blocks: list[dict[str, Any]] = [
        {
            "kind": LayoutBlock.Kind.PROMO_BANNER,
            "region": LayoutBlock.Region.TOP,
            "heading": "10% off your first order",
            "text": "Use the code WELCOME10 in your cart, on everything in the shop.",
            "cta_label": "Start shopping",
            "cta_url": "/catalog/",
            "tone": LayoutBlock.Tone.ACCENT,
        },
        {
            "kind": LayoutBlock.Kind.HERO,
            "region": LayoutBlock.Region.MAIN,
            "heading": "Good things, honestly priced",
            "text": "Clothing, homeware and gear from independent makers, shipped from our own "
            "warehouses. Every page says exactly what is in stock.",
            "image": _hero_image(),
            "image_alt": "",
            "cta_label": "Shop the catalog",
            "cta_url": "/catalog/",
        },
    ]
    if picks:
        blocks.append(
            {
                "kind": LayoutBlock.Kind.FEATURED_PRODUCTS,
                "region": LayoutBlock.Region.MAIN,
                "heading": "Staff picks",
                "product_source": LayoutBlock.ProductSource.CHOSEN,
                "product_count": len(picks),
                "products": picks,
            }
        )
    blocks += [
        {
            "kind": LayoutBlock.Kind.FEATURED_PRODUCTS,
            "region": LayoutBlock.Region.MAIN,
            "heading": "New in",
            "product_source": LayoutBlock.ProductSource.CATEGORY,
            "product_count": 8,
        },
        {
            "kind": LayoutBlock.Kind.CATEGORY_GRID,
            "region": LayoutBlock.Region.MAIN,
            "heading": "Shop by category",
        },
        {
            "kind": LayoutBlock.Kind.RICH_TEXT,
            "region": LayoutBlock.Region.BOTTOM,
            "heading": "A small shop, run carefully",
            "body": (
                '<p>We stock fewer things and know them well. Read <a href="/about/">about '
                'us</a>, or how <a href="/delivery-and-returns/">delivery and returns</a> '
                "work.</p>"
            ),
        },
    ]
    return blocks


def ensure_demo_homepage() -> str:
    """Publish the demo homepage if nothing was ever published, create missing pages; say what."""
    revision = layout_services.ensure_published_layout(blocks=_demo_blocks())
    created_pages = 0
    for spec in _pages():
        _, created = DynamicPage.objects.get_or_create(
            slug=spec["slug"], defaults={**spec, "published": True}
        )
        created_pages += created
    # The catalog was just bulk-inserted (no signals): whatever the homepage cached is stale.
    invalidate_live_homepage()
    layout = "published version 1" if revision else "left as published"
    return f"Homepage {layout}; {created_pages} page{'s' if created_pages != 1 else ''} created."

"""Signal receivers that keep the cached live homepage in step with what its blocks show.

Featured rails show products (name, picture, prices, stock), grids show categories, and rule-based
rails depend on product attributes: saving or deleting any of these invalidates the cached
homepage once the change commits. Writes that send no signals (`QuerySet.update()`, bulk
inserts) are caught by the cache timeout, HOMEPAGE_CACHE_SECONDS; `seed_demo` invalidates itself.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from shop.models import Category, Product, ProductAttribute, ProductImage, Variant
from shop.queries.layout import invalidate_live_homepage

SHOWN_ON_THE_HOMEPAGE = (Product, Variant, ProductImage, Category, ProductAttribute)


def _catalog_changed(sender, **kwargs) -> None:
    transaction.on_commit(invalidate_live_homepage)


def connect() -> None:
    """Connect the receivers (called once, from ShopConfig.ready)."""
    for model in SHOWN_ON_THE_HOMEPAGE:
        uid = f"homepage-cache-{model._meta.label_lower}"
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-delete")

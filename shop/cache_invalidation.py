"""Keeping cached catalog views in step with the catalog: the live homepage and facet counts.

Featured rails show products (name, picture, prices, stock), grids show categories, rule-based
rails and facet counts depend on product attributes: saving or deleting any of these calls
`catalog_changed`. Checkout calls it when a variant sells out or comes back (facet counts and
"Sold out" badges change then; other stock moves change neither). Writes that send no signals
(`QuerySet.update()`, bulk inserts) call it themselves (admin actions, `seed_demo`), or are
caught by the cache timeouts (HOMEPAGE_CACHE_SECONDS, CATALOG_COUNTS_CACHE_SECONDS).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from shop.models import Category, Product, ProductAttribute, ProductImage, Variant
from shop.queries.catalog import invalidate_catalog_counts
from shop.queries.layout import invalidate_live_homepage

SHOWN_ON_THE_HOMEPAGE = (Product, Variant, ProductImage, Category, ProductAttribute)


def _after_commit() -> None:
    invalidate_catalog_counts()
    invalidate_live_homepage()


def catalog_changed() -> None:
    """Invalidate what the change shows on, once it commits (and the counts at once as well,
    so nothing inside this transaction reads counts from before it)."""
    invalidate_catalog_counts()
    transaction.on_commit(_after_commit)


def _catalog_changed(sender, **kwargs) -> None:
    catalog_changed()


def connect() -> None:
    """Connect the receivers (called once, from ShopConfig.ready)."""
    for model in SHOWN_ON_THE_HOMEPAGE:
        uid = f"homepage-cache-{model._meta.label_lower}"
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-delete")

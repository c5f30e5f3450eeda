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

from shop import cache_tokens
from shop.domain.availability import Availability
from shop.models import (
    Category,
    DynamicPage,
    Product,
    ProductAttribute,
    ProductImage,
    SearchPin,
    SearchSynonym,
    Variant,
)

SHOWN_ON_THE_HOMEPAGE = (Product, Variant, ProductImage, Category, ProductAttribute)
# What a search matches beside the catalog itself (issue 13): its counts and cached search
# plans are keyed on the counts' generation.
SEARCH_RULES = (SearchSynonym, SearchPin)


def invalidate_catalog_counts() -> None:
    """Make every cached facet and category count unreachable (after a catalog change)."""
    cache_tokens.replace(cache_tokens.CATALOG_COUNTS)


def invalidate_live_homepage() -> None:
    """Make the next homepage request render afresh (call it after the change has committed).

    The old entry is not deleted, just no longer reachable: a request that read the old layout
    while the change committed stores its render under the old token, which nobody reads again.
    """
    cache_tokens.replace(cache_tokens.LIVE_HOMEPAGE)


def _after_commit() -> None:
    invalidate_catalog_counts()
    invalidate_live_homepage()
    cache_tokens.replace(cache_tokens.CATALOG_PAGES)


def catalog_changed() -> None:
    """Invalidate what the change shows on, once it commits (and the counts and catalog pages
    at once as well, so nothing inside this transaction reads them from before it)."""
    invalidate_catalog_counts()
    cache_tokens.replace(cache_tokens.CATALOG_PAGES)
    transaction.on_commit(_after_commit)


def stock_moved(moved: dict[int, int]) -> None:
    """After stock moved without a signal (`moved`: variant id → units added, negative when
    sold), inside the transaction that moved it. Each product's page shows its exact stock, so
    theirs are replaced on commit; cards, counts and the homepage show only the state (in stock,
    low stock, sold out) of a product's total, so those are replaced only when a total crossed
    from one state to another (one query, for the moved products' variants)."""
    rows = Variant.objects.filter(
        product__in=Variant.objects.filter(pk__in=list(moved)).values("product_id")
    ).values_list("pk", "product_id", "product__slug", "stock")
    after: dict[int, int] = {}
    delta: dict[int, int] = {}
    slugs: set[str] = set()
    for pk, product_id, slug, stock in rows:
        after[product_id] = after.get(product_id, 0) + max(stock, 0)
        delta[product_id] = delta.get(product_id, 0) + moved.get(pk, 0)
        slugs.add(slug)
    if any(
        Availability(quantity=total - delta[product_id]).code != Availability(quantity=total).code
        for product_id, total in after.items()
    ):
        catalog_changed()
    names = [cache_tokens.product(slug) for slug in sorted(slugs)]

    def replace_product_pages() -> None:
        for name in names:
            cache_tokens.replace(name)

    transaction.on_commit(replace_product_pages)


def _catalog_changed(sender, **kwargs) -> None:
    catalog_changed()


def invalidate_footer_pages() -> None:
    """The footer lists CMS pages: make the next page list them afresh (after commit)."""
    transaction.on_commit(lambda: cache_tokens.replace(cache_tokens.FOOTER_PAGES))


def releases_changed() -> None:
    """A release was scheduled, moved back to draft or rolled back: every cache that knows
    which releases are in force (the timeline, the catalog index, the homepage, public pages)
    starts again, at once and after commit. A release starting or ending needs no call: those
    caches expire at the next boundary on their own."""
    cache_tokens.replace(cache_tokens.RELEASES)
    transaction.on_commit(lambda: cache_tokens.replace(cache_tokens.RELEASES))


def _pages_changed(sender, **kwargs) -> None:
    invalidate_footer_pages()


def _search_rules_changed(sender, **kwargs) -> None:
    """Synonyms and pins change what a search finds: its interpretation (cached on the counts'
    token) and the cached result pages."""

    def replace() -> None:
        invalidate_catalog_counts()
        cache_tokens.replace(cache_tokens.CATALOG_PAGES)

    replace()
    transaction.on_commit(replace)


def connect() -> None:
    """Connect the receivers (called once, from ShopConfig.ready)."""
    post_save.connect(_pages_changed, sender=DynamicPage, dispatch_uid="footer-pages-save")
    post_delete.connect(_pages_changed, sender=DynamicPage, dispatch_uid="footer-pages-delete")
    for model in SHOWN_ON_THE_HOMEPAGE:
        uid = f"homepage-cache-{model._meta.label_lower}"
        post_save.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_catalog_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for rule in SEARCH_RULES:
        uid = f"search-rules-{rule._meta.label_lower}"
        post_save.connect(_search_rules_changed, sender=rule, dispatch_uid=f"{uid}-save")
        post_delete.connect(_search_rules_changed, sender=rule, dispatch_uid=f"{uid}-delete")

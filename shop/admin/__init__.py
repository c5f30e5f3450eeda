"""Admin for merchandisers: categories, products with their variants, images and attributes;
coupons, shipping and (read-only) orders; homepage layouts and blocks (read-only), revisions,
CMS pages and redirects; the task queue's results, with "Run again" for failed tasks; search
synonyms, pinned results and the report of searches that found nothing; campaign releases with
their timeline and "what changes"."""

from shop.admin import catalog, content, orders, releases, tasks

__all__ = ["catalog", "content", "orders", "releases", "tasks"]

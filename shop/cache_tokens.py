"""Generation tokens for cached read models: change the token and every entry keyed on it is gone.

Entries are never deleted one by one: a read model puts `current(name)` into its cache keys,
and `replace(name)` makes all of them unreachable at once (they expire on their own).
"""

import uuid

from django.core.cache import cache

# The generations in use: one name each, read by the read models that key their entries on it
# and replaced by shop.cache_invalidation when what they show changes.
CATALOG_COUNTS = "catalog:counts-token"  # facet and category counts (shop.queries.catalog)
LIVE_HOMEPAGE = "homepage:live:token"  # the rendered live homepage (shop.queries.layout)
FOOTER_PAGES = "pages:footer:token"  # the footer's links to CMS pages (shop.queries.pages)


def current(name: str) -> str:
    """The token now in force for `name` (created on first use)."""
    token = cache.get(name)
    if token is None:
        # Two processes may both miss: `add` lets one token win and both then use it.
        cache.add(name, uuid.uuid4().hex, timeout=None)
        token = cache.get(name) or uuid.uuid4().hex
    return token


def replace(name: str) -> None:
    """Start a new generation for `name`: entries keyed on the old token are never read again."""
    cache.set(name, uuid.uuid4().hex, timeout=None)

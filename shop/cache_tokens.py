"""Generation tokens for cached read models: change the token and every entry keyed on it is gone.

Entries are never deleted one by one: a read model puts `current(name)` into its cache keys,
and `replace(name)` makes all of them unreachable at once (they expire on their own).

The truth of each token is a database row (CacheGeneration); the cache keeps a copy for
CACHE_TOKEN_SECONDS. So a replacement made while the cache is unreachable is not lost: the
copy it could not overwrite expires, and the next read takes the new token from the database.
The bound: a page keyed on a token shows data older than a committed change for at most
CACHE_TOKEN_SECONDS after the commit (0 when the cache took the new token), plus, for a public
page another process keeps, PUBLIC_TOKEN_SECONDS (partials.public.Memory); and a warm read
costs one cache read plus, per token, at most one primary-key query per CACHE_TOKEN_SECONDS.
Tokens are random and never reused, so a replacement that rolls back revives nothing stale.
"""

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache

from partials import public
from shop.models import CacheGeneration

# The generations in use: one name each, read by the read models that key their entries on it
# and replaced by shop.cache_invalidation when what they show changes.
CATALOG_COUNTS = "catalog:counts-token"  # facet and category counts (shop.queries.catalog)
CATALOG_PAGES = "catalog:pages-token"  # cached catalog and product pages (shop.views.catalog)
LIVE_HOMEPAGE = "homepage:live:token"  # the rendered live homepage (shop.queries.layout)
FOOTER_PAGES = "pages:footer:token"  # the footer's links, and every CMS page (shop.queries.pages)
# Which releases are scheduled and what they change (shop.queries.releases): replaced when one
# is scheduled, moved back to draft or rolled back. Every public page is keyed on it too.
RELEASES = "releases:token"
INITIAL = "initial"  # the token of a generation never replaced (replace() writes uuid4 hex)


def product(slug: str) -> str:
    """The generation of one product's cached page, replaced when its stock moves (checkout, a
    refund). Named by a digest of the slug, which is what a product page's URL knows."""
    return f"product:{hashlib.blake2b(slug.encode(), digest_size=16).hexdigest()}"


def current(name: str) -> str:
    """The token now in force for `name` (as this request's public page read it, if it did)."""
    token = public.token_read(name) or cache.get(name)
    return token if token is not None else read([name])[name]


def read(names: list[str]) -> dict[str, str]:
    """The tokens of `names` from the database (one query), copied into the cache.

    A generation never replaced has no row: its token is INITIAL until the first `replace`.
    """
    stored = dict(CacheGeneration.objects.filter(name__in=names).values_list("name", "token"))
    tokens = {name: stored.get(name, INITIAL) for name in names}
    for name, token in tokens.items():
        # `add`, not `set`: a replacement stored meanwhile (newer than our read) must win.
        cache.add(name, token, timeout=settings.CACHE_TOKEN_SECONDS)
    return tokens


def replace(name: str) -> None:
    """Start a new generation for `name`: entries keyed on the old token are never read again.

    The row is written in the caller's transaction, if any; the cache gets the new token at
    once (if it is reachable), so readers switch without waiting for the old copy to expire.
    """
    token = uuid.uuid4().hex
    CacheGeneration.objects.bulk_create(
        [CacheGeneration(name=name, token=token)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=["token"],
    )
    cache.set(name, token, timeout=settings.CACHE_TOKEN_SECONDS)
    public.forget_token(name)  # this process's pages read it again on their next request


def cached[T](
    key: str,
    *,
    tokens: list[str],
    compute: Callable[[], T],
    seconds: float | None,
    parts: tuple[Any, ...] = (),
    valid: Callable[[Any], bool] = lambda value: value is not None,
) -> T:
    """The one way a read model caches what it read: `compute()`'s value, kept in the cache
    under `key` and the current tokens of `tokens` (and `parts`, such as a store state's key),
    for `seconds` (None: until a token is replaced).

    A replaced token makes every entry keyed on it unreachable at once (they expire on their
    own). A value that is not `valid` (missing, or of another shape after a deploy) is computed
    again and stored. Each caller names its own `key` with a version ("homepage:live:v2"):
    bump it when what it stores changes shape.
    """
    name = ":".join([key, *(current(token) for token in tokens), *map(str, parts)])
    found = cache.get(name)
    if valid(found):
        return found
    value = compute()
    cache.set(name, value, timeout=seconds)
    return value

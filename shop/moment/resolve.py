"""The one resolver of "the store at a moment": `resolve()` turns a moment (and, for time
travel, a release) into a `StoreState` (shop.moment.values), for every read and for checkout
under its locks.

**The live store** is the timeline of scheduled releases at this second: which are in force,
what they change (`Effects`) and until when (the next start or end). The timeline and the
effects of each set of releases are cached under the `RELEASES` generation token (replaced when
a release is scheduled, moved back or rolled back) and kept in each process's memory, checked
against that token; so a warm live state costs one cache read and no SQL, and a release starts
on the second because the clock, not a cache entry, decides which releases are in force.

**Fresh** (checkout, under its locks) and **time travel** (a staff member's or a preview link's
view of another moment, or of a release that is not scheduled yet) read from the database on
each call, never from or into a shared cache.
"""

import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone

from partials import memories
from shop import cache_tokens
from shop.models import Release, ReleasePage, ReleasePrice, ReleaseVisibility, Variant
from shop.moment.values import NO_EFFECTS, Effects, StoreState, Timeline, resolve_in_order

# v2: the values moved to shop.moment.values, so entries pickled under v1 name a gone module.
TIMELINE_KEY = "releases:timeline:v3"
EFFECTS_KEY = "releases:effects:v3"
EFFECTS_KEPT = 16
CACHED_SECONDS = 24 * 60 * 60  # entries are keyed on tokens; this only frees the memory


@dataclass
class _Memory:
    """This process's copies: the timeline, and the effects of recent sets of releases, each
    under the tokens it was read with."""

    timeline: tuple[str, Timeline] | None = None
    effects: OrderedDict[tuple, Effects] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_memory = _Memory()


def forget() -> None:
    """Drop this process's copies (tests, whose databases come and go, call it)."""
    _memory.timeline = None
    _memory.effects.clear()


memories.register("releases timeline", forget)


def timeline() -> Timeline:
    """The scheduled releases' windows: from this process's memory or the cache when the
    `RELEASES` token still matches, else one query."""
    token = cache_tokens.current(cache_tokens.RELEASES)
    kept = _memory.timeline
    if kept is not None and kept[0] == token:
        return kept[1]
    found = cache_tokens.cached(
        TIMELINE_KEY,
        tokens=[cache_tokens.RELEASES],
        compute=Release.objects.timeline,
        seconds=CACHED_SECONDS,
        valid=lambda value: isinstance(value, Timeline),
    )
    _memory.timeline = (token, found)
    return found


def live_effects(release_ids: tuple[int, ...]) -> Effects:
    """What these scheduled releases change, cached: their contents never change while they
    are scheduled, and the price ranges follow the catalog (its token is in the key)."""
    if not release_ids:
        return Effects()
    token = cache_tokens.current(cache_tokens.RELEASES)
    catalog = cache_tokens.current(cache_tokens.CATALOG_PAGES)
    memo_key = (token, catalog, release_ids)
    with _memory.lock:
        kept = _memory.effects.get(memo_key)
    if kept is not None:
        return kept
    found = cache_tokens.cached(
        EFFECTS_KEY,
        tokens=[cache_tokens.RELEASES, cache_tokens.CATALOG_PAGES],
        parts=(".".join(map(str, release_ids)),),
        compute=lambda: effects_of(release_ids),
        seconds=CACHED_SECONDS,
        valid=lambda value: isinstance(value, Effects),
    )
    with _memory.lock:
        _memory.effects[memo_key] = found
        while len(_memory.effects) > EFFECTS_KEPT:
            _memory.effects.popitem(last=False)
    return found


def resolve(
    *,
    at: datetime | None = None,
    release: Release | None = None,
    time_travel: bool = False,
    fresh: bool = False,
) -> StoreState:
    """The store at `at` (default: this second): the releases in force then, in the order they
    apply, what they change and until when. The one resolver of "the store at a moment".

    The live store (the default) reads the timeline and the effects from this process's memory
    or the cache (no SQL when warm). `fresh` reads both from the database: checkout does, under
    its locks. `time_travel` is a staff member's or a preview link's view of another moment,
    with `release` applied last even if it is not scheduled (a preview of it): always fresh,
    never cached, never sold from."""
    if release is not None and not time_travel:
        raise ValueError("Only time travel applies a release that may not be scheduled.")
    moment = at or timezone.now()
    fresh = fresh or time_travel
    known = Release.objects.timeline() if fresh else timeline()
    in_force = known.in_force(moment)
    if release is not None and release.pk is not None and release.pk not in in_force:
        in_force = (*in_force, release.pk)
    return StoreState(
        at=moment,
        releases=in_force,
        until=known.next_boundary(moment),
        effects=effects_of(in_force) if fresh else live_effects(in_force),
        time_travel=time_travel,
        label=release.name if release is not None else "",
    )


def effects_of(release_ids: Sequence[int]) -> Effects:
    """What the releases `release_ids` (in the order they apply) change, resolved: the later
    release wins where two change the same thing. No query for none; otherwise five (the
    releases, their prices, the changed products' other variants, visibility, pages)."""
    if not release_ids:
        return NO_EFFECTS
    order = {pk: place for place, pk in enumerate(release_ids)}
    releases = {
        pk: (name, layout_id)
        for pk, name, layout_id in Release.objects.filter(pk__in=release_ids).values_list(
            "pk", "name", "layout_id"
        )
    }
    price_rows = list(
        ReleasePrice.objects.filter(release_id__in=release_ids).values_list(
            "release_id", "variant_id", "price", "variant__product_id"
        )
    )
    prices = resolve_in_order(((r, v, p) for r, v, p, _ in price_rows), order)
    setter = resolve_in_order(((r, v, r) for r, v, _, _ in price_rows), order)
    touched = {product for _, _, _, product in price_rows}
    ranges: dict[int, list[Decimal]] = defaultdict(list)
    for pk, product, own in Variant.objects.filter(product_id__in=touched).values_list(
        "pk", "product_id", "price"
    ):
        ranges[product].append(prices.get(pk, own))
    visible = resolve_in_order(
        ReleaseVisibility.objects.filter(release_id__in=release_ids).values_list(
            "release_id", "product_id", "visible"
        ),
        order,
    )
    pages = resolve_in_order(
        (
            (row.release_id, row.page_id, row.change)
            for row in ReleasePage.objects.filter(release_id__in=release_ids)
        ),
        order,
    )
    layouts = [releases[pk][1] for pk in release_ids if pk in releases and releases[pk][1]]
    return Effects(
        prices=prices,
        price_notes={variant: releases[release][0] for variant, release in setter.items()},
        price_ranges={product: (min(found), max(found)) for product, found in ranges.items()},
        visible=visible,
        layout_id=layouts[-1] if layouts else None,
        pages=pages,
    )

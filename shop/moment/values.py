"""The store at a moment, as values: when each scheduled release is in force (`Window`,
`Timeline`), what the releases in force change (`Effects`, applied to variants by
`Effects.apply`), and the store they make (`StoreState`).

The rule (docs/architecture.md, section 9): **the store at moment t is the live rows plus every
scheduled release whose window holds t** (`starts_at <= t < ends_at`, no end: for good). Nothing
is copied into the live rows when a release starts or ends: every read resolves at request time
(shop.moment.resolve), so a release goes live on the second with no worker and no cron. Releases
in force at once apply in order of their start (then id); a later one's change of the same thing
would win (`resolve_in_order`), but the conflict rule (shop.domain.releases.conflicts) refuses to
schedule two releases that change the same thing in overlapping windows, so for scheduled
releases the order never decides anything. It decides only in a preview of a release that is not
scheduled yet, which is applied last.

Pure, like shop.domain: shop.moment.resolve reads the rows and builds these values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class Priced(Protocol):
    """What `Effects.apply` needs of a variant (shop.models.Variant)."""

    @property
    def pk(self) -> int | None: ...

    def set_price_in_force(self, price: Decimal, note: str = "") -> None: ...


@dataclass(frozen=True)
class Window:
    """When a scheduled release is in force: from `starts_at` (inclusive) to `ends_at`
    (exclusive; None: for good)."""

    release_id: int
    starts_at: datetime
    ends_at: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or moment < self.ends_at)

    def overlaps(self, other: Window) -> bool:
        """Whether some moment is in both windows."""
        starts_before_other_ends = other.ends_at is None or self.starts_at < other.ends_at
        ends_after_other_starts = self.ends_at is None or other.starts_at < self.ends_at
        return starts_before_other_ends and ends_after_other_starts


@dataclass(frozen=True)
class PageChange:
    """What a release does to a CMS page: publishes it (a new page), replaces its words (an
    edited page), or takes it down (an unpublished page)."""

    action: str  # PUBLISH | EDIT | UNPUBLISH
    title: str = ""
    body: str = ""
    seo_title: str = ""
    seo_description: str = ""

    PUBLISH = "publish"
    EDIT = "edit"
    UNPUBLISH = "unpublish"

    @property
    def shows(self) -> bool:
        return self.action != self.UNPUBLISH


@dataclass(frozen=True)
class Effects:
    """Everything the releases in force change, resolved (later releases over earlier ones).

    `prices`: variant id → its price; `price_notes`: variant id → the name of the release that
    sets it; `price_ranges`: product id → (lowest, highest) price of its variants with those
    prices, for every product with a changed variant; `visible`: product id → shown (True) or
    hidden (False); `layout_id`: the homepage layout to show instead of the live one; `pages`:
    CMS page id → its change.
    """

    prices: Mapping[int, Decimal] = field(default_factory=dict)
    price_notes: Mapping[int, str] = field(default_factory=dict)
    price_ranges: Mapping[int, tuple[Decimal, Decimal]] = field(default_factory=dict)
    visible: Mapping[int, bool] = field(default_factory=dict)
    layout_id: int | None = None
    pages: Mapping[int, PageChange] = field(default_factory=dict)

    def apply(self, variants: Iterable[Priced]) -> None:
        """Give each variant the price these effects set (`Variant.price_now`, and the release's
        name as its `price_note`); a variant they do not price keeps its own. The one place
        prices in force are applied: the catalog's reads, the cart, the wishlist and checkout
        under its locks."""
        for variant in variants:
            assert variant.pk is not None
            price = self.prices.get(variant.pk)
            if price is not None:
                variant.set_price_in_force(price, self.price_notes.get(variant.pk, ""))

    @property
    def hidden_products(self) -> list[int]:
        return sorted(pk for pk, shown in self.visible.items() if not shown)

    @property
    def shown_products(self) -> list[int]:
        return sorted(pk for pk, shown in self.visible.items() if shown)


NO_EFFECTS = Effects()


@dataclass(frozen=True)
class StoreState:
    """The store at a moment: the releases in force (in the order they apply), what they
    change, and until when this holds (the next start or end of a scheduled release; None: no
    boundary ahead).

    `time_travel` is a staff member's or a preview link's view of another moment or of an
    unscheduled release: never stored in a shared cache, never sold from.
    """

    at: datetime
    releases: tuple[int, ...] = ()
    until: datetime | None = None
    effects: Effects = NO_EFFECTS
    time_travel: bool = False
    label: str = ""  # what a time-travel banner names ("Winter sale"), "" for the live store

    @property
    def key(self) -> str:
        """The releases in force, as a cache key part: "-" when none."""
        return ".".join(str(pk) for pk in self.releases) or "-"

    def price_of(self, variant_id: int, own_price: Decimal) -> Decimal:
        """A variant's price in this state: a release's, else its own."""
        return self.effects.prices.get(variant_id, own_price)


@dataclass(frozen=True)
class Timeline:
    """Every scheduled release's window: enough to say, for any moment, which are in force and
    when that next changes, with no query."""

    windows: tuple[Window, ...] = ()

    def in_force(self, moment: datetime) -> tuple[int, ...]:
        """The ids of the releases in force at `moment`, in the order they apply."""
        held = [w for w in self.windows if w.holds(moment)]
        return tuple(w.release_id for w in sorted(held, key=lambda w: (w.starts_at, w.release_id)))

    def next_boundary(self, moment: datetime) -> datetime | None:
        """The first start or end of a scheduled release strictly after `moment`."""
        ahead = [
            t
            for w in self.windows
            for t in (w.starts_at, w.ends_at)
            if t is not None and t > moment
        ]
        return min(ahead, default=None)

    def window_of(self, release_id: int) -> Window | None:
        return next((w for w in self.windows if w.release_id == release_id), None)


def resolve_in_order(rows: Iterable[tuple[int, int, object]], order: Mapping[int, int]) -> dict:
    """{target: value} from (release id, target, value) rows, the release applied last winning
    (`order`: release id → its place)."""
    winners: dict[int, tuple[int, object]] = {}
    for release_id, target, value in rows:
        place = order[release_id]
        if target not in winners or winners[target][0] <= place:
            winners[target] = (place, value)
    return {target: value for target, (_place, value) in winners.items()}

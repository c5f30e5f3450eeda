"""The releases admin's read models: the timeline of releases, and per release "what changes"
(before → after for prices, visibility, homepage blocks and pages), its coupons, conflicts and
history."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from shop.domain import pricing
from shop.domain.releases import Conflict
from shop.models import Coupon, Layout, Release, ReleaseEvent
from shop.models.releases import conflicts_with_scheduled
from shop.moment.resolve import resolve
from shop.moment.values import PageChange
from shop.queries.layout.editor import BlockStatus, block_content
from shop.queries.layout.rendering import load_blocks


@dataclass(frozen=True)
class TimelineRow:
    """A release on the admin's timeline: its state now and the days it is in force on."""

    release: Release
    state: str
    days: tuple[bool, ...]


@dataclass(frozen=True)
class TimelineView:
    days: tuple[datetime, ...]  # midnight (local time) of each day shown
    rows: tuple[TimelineRow, ...]


def timeline_view(*, days: int = 14, now: datetime | None = None) -> TimelineView:
    """The releases that are in force (or would be, for drafts) on any of the next `days` days
    from today, soonest first, with the days each covers (one query)."""
    moment = now or timezone.now()
    first = timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)
    starts = tuple(first + timedelta(days=n) for n in range(days))
    end = first + timedelta(days=days)
    found = (
        Release.objects.exclude(status=Release.Status.ROLLED_BACK)
        .filter(starts_at__lt=end)
        .exclude(ends_at__lte=first)
        .select_related("owner")
        .order_by("starts_at", "pk")
    )
    rows = []
    for release in found:
        covered = tuple(
            release.starts_at < day + timedelta(days=1)
            and (release.ends_at is None or release.ends_at > day)
            for day in starts
        )
        rows.append(TimelineRow(release, release.state_at(moment), covered))
    return TimelineView(days=starts, rows=tuple(rows))


@dataclass(frozen=True)
class PriceLine:
    """A variant's price now → while the release is in force."""

    name: str
    sku: str
    before: Decimal
    after: Decimal
    source: str  # "Set directly", or the rule it was fixed from ("20% off Knitwear")

    @property
    def percent(self) -> Decimal:
        return ((self.after - self.before) / self.before * 100).quantize(Decimal("1"))


@dataclass(frozen=True)
class ShownLine:
    """A product, or a CMS page: shown now → while the release is in force."""

    name: str
    url: str
    before: str
    after: str


@dataclass(frozen=True)
class ReleaseChanges:
    """The release's "what changes" view: before → after for everything it bundles."""

    release: Release
    state: str
    prices: list[PriceLine]
    rules: list[str]
    visibility: list[ShownLine]
    homepage: list["BlockLine"] | None  # None: the release leaves the homepage alone
    pages: list[ShownLine]
    coupons: list[Coupon]
    conflicts: list[Conflict]
    events: list[ReleaseEvent]

    @property
    def is_empty(self) -> bool:
        return (
            not (self.prices or self.visibility or self.homepage is not None or self.pages)
            and not self.coupons
        )


@dataclass(frozen=True)
class BlockLine:
    """A homepage block: on the live homepage → on the release's."""

    label: str
    status: str  # BlockStatus: new, changed, moved, removed, unchanged
    before: str
    after: str


def release_changes(*, release: Release, now: datetime | None = None) -> ReleaseChanges:
    """Before → after for every price, product, block and page the release changes, its
    coupons, the scheduled releases it conflicts with, and its history."""
    moment = now or timezone.now()
    prices = [
        PriceLine(
            name=pricing.display_name(row.variant.product.name, row.variant.name),
            sku=row.variant.sku,
            before=row.variant.price,
            after=row.price,
            source=str(row.rule) if row.rule_id else "Set directly",
        )
        for row in release.prices.select_related(
            "variant__product", "rule__category", "rule__attribute_value"
        ).order_by("variant__product__name", "variant__position", "variant__pk")
    ]
    visibility = [
        ShownLine(
            name=row.product.name,
            url=row.product.get_absolute_url(),
            before="Shown" if row.product.is_on_sale(moment) else "Not shown",
            after="Shown" if row.visible else "Hidden",
        )
        for row in release.visibility.select_related("product").order_by("product__name")
    ]
    pages = [
        ShownLine(
            name=row.page.title,
            url=row.page.get_absolute_url(),
            before=f"Published: “{row.page.title}”" if row.page.published else "Not published",
            after={
                PageChange.PUBLISH: f"Published: “{row.page.title}”",
                PageChange.EDIT: f"New words: “{row.title or row.page.title}”",
                PageChange.UNPUBLISH: "Not published",
            }[row.action],
        )
        for row in release.pages.select_related("page").order_by("page__title")
    ]
    return ReleaseChanges(
        release=release,
        state=release.state_at(moment),
        prices=prices,
        rules=[
            str(rule) for rule in release.price_rules.select_related("category", "attribute_value")
        ],
        visibility=visibility,
        homepage=_homepage_changes(release),
        pages=pages,
        coupons=list(release.coupons.order_by("code")),
        conflicts=conflicts_with_scheduled(release) if release.is_draft else [],
        events=list(release.events.select_related("actor").order_by("at", "pk")),
    )


def _homepage_changes(release: Release) -> list[BlockLine] | None:
    """The release's homepage block by block against the live one (by block key)."""
    if release.layout_id is None:
        return None
    live = Layout.objects.live().first()
    ids = [release.layout_id, *([live.pk] if live is not None else [])]
    blocks = load_blocks(ids, state=resolve())  # the live store's products and prices
    live_blocks = {str(b.key): b for b in blocks if live is not None and b.layout_id == live.pk}
    lines = []
    for block in (b for b in blocks if b.layout_id == release.layout_id):
        label = block.get_kind_display()
        after = block.heading or "(no heading)"
        original = live_blocks.pop(str(block.key), None)
        if original is None:
            lines.append(BlockLine(label, BlockStatus.NEW, "—", after))
        elif block_content(original) != block_content(block):
            lines.append(
                BlockLine(label, BlockStatus.CHANGED, original.heading or "(no heading)", after)
            )
        else:
            lines.append(BlockLine(label, BlockStatus.UNCHANGED, after, after))
    for original in live_blocks.values():
        before = original.heading or "(no heading)"
        lines.append(BlockLine(original.get_kind_display(), BlockStatus.REMOVED, before, "—"))
    return lines

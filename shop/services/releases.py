"""Writes to campaign releases: build a draft, schedule it, move it back, roll it back.

A release changes only while it is a draft (every change locks its row and checks). Scheduling
fixes its price rules into per-variant prices, checks the conflict rule and marks it scheduled,
all in one transaction that holds every release row (`locks.lock_releases`), so two releases
scheduled at the same moment are checked one after the other. Rolling back marks a live or
ended release rolled back: every read resolves releases at request time, so all it changed is
undone at once, and orders keep the prices they were placed at (their lines are snapshots).
Scheduling, moving back and rolling back replace the releases' cache token once committed.

Functions take keyword arguments only, each runs in one transaction, and they raise the
ReleaseError subclasses below for what the person who tried must be told.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop import cache_invalidation, locks
from shop.domain import releases as rules
from shop.domain.money import to_money
from shop.models import (
    AttributeValue,
    Category,
    Coupon,
    DynamicPage,
    Layout,
    Product,
    Release,
    ReleaseEvent,
    ReleasePage,
    ReleasePrice,
    ReleasePriceRule,
    ReleaseVisibility,
    Variant,
)
from shop.models.coupons import normalise_code
from shop.models.releases import conflicts_with_scheduled
from shop.services import layout as layout_services

LOWEST_PRICE = Decimal("0.01")


class ReleaseError(Exception):
    """A release change that cannot be made; `message` says why."""

    message = "That change to the release could not be made."

    def __str__(self) -> str:
        return self.message


class NotDraft(ReleaseError):
    message = (
        "Only a draft release can change. Move it back to draft first (possible until it "
        "starts), or roll it back once it is live."
    )


class StartPassed(ReleaseError):
    message = "Its start has passed: choose a start in the future, then schedule it."


class NotStarted(ReleaseError):
    message = "It has not started yet: move it back to draft instead of rolling it back."


class AlreadyLive(ReleaseError):
    message = "It is live (or has ended): roll it back instead."


class NoHomepageDraft(ReleaseError):
    message = "You have no homepage draft to save into the release: edit the homepage first."


class CodeTaken(ReleaseError):
    def __init__(self, code: str):
        self.code = code
        self.message = f"Another coupon already has the code {code}."


class ScheduleConflict(ReleaseError):
    """Scheduled releases overlap it and change some of the same things: nothing changed."""

    def __init__(self, conflicts: list[rules.Conflict]):
        self.conflicts = conflicts
        self.message = "Not scheduled: " + " ".join(c.message for c in conflicts)


# Building a draft -------------------------------------------------------------------------------


def _record(release: Release, action: str, user, note: str = "") -> None:
    ReleaseEvent.objects.create(release=release, action=action, actor=user, note=note)


def _draft(release_id: int | None) -> Release:
    """The release, locked, refusing anything but a draft (call inside a transaction)."""
    assert release_id is not None
    release = locks.lock_release(release_id)
    if not release.is_draft:
        raise NotDraft()
    return release


def create_release(
    *,
    name: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    owner=None,
    description: str = "",
) -> Release:
    """A new draft release (nothing changes for shoppers until it is scheduled and starts)."""
    if ends_at is not None and ends_at <= starts_at:
        raise ValueError("A release ends after it starts.")
    with transaction.atomic():
        release = Release.objects.create(
            name=name, starts_at=starts_at, ends_at=ends_at, owner=owner, description=description
        )
        _record(release, ReleaseEvent.Action.CREATED, owner)
        return release


def save_draft(*, release: Release, user) -> Release:
    """Save a release's own fields (name, description, window) as the admin's form set them: a
    new one becomes a draft (recorded as created by `user`), an existing one must still be a
    draft (checked under its lock). Raises NotDraft; ValueError if it would end before it
    starts."""
    if release.ends_at is not None and release.ends_at <= release.starts_at:
        raise ValueError("A release ends after it starts.")
    with transaction.atomic():
        if release.pk is None:
            release.status = Release.Status.DRAFT
            release.save()
            _record(release, ReleaseEvent.Action.CREATED, user)
            return release
        _draft(release.pk)
        release.save(update_fields=["name", "description", "starts_at", "ends_at", "updated"])
        return release


def refix_prices(*, release: Release) -> int:
    """Fix the draft's price rules into per-variant prices again (after its rules or its
    direct prices changed in the admin); returns how many. Raises NotDraft."""
    with transaction.atomic():
        return _fix_rules(_draft(release.pk))


def set_price(*, release: Release, variant: Variant, price: Decimal) -> ReleasePrice:
    """Set a variant's price for the release (over any rule's). Raises NotDraft."""
    with transaction.atomic():
        _draft(release.pk)
        row, _ = ReleasePrice.objects.update_or_create(
            release=release, variant=variant, defaults={"price": to_money(price), "rule": None}
        )
        return row


def remove_price(*, release: Release, variant: Variant) -> None:
    """Take a variant's price change out of the release (a rule may price it again)."""
    with transaction.atomic():
        locked = _draft(release.pk)
        ReleasePrice.objects.filter(release=locked, variant=variant).delete()
        _fix_rules(locked)


def add_price_rule(
    *,
    release: Release,
    percent_off: Decimal,
    category: Category | None = None,
    attribute_value: AttributeValue | None = None,
) -> ReleasePriceRule:
    """A percentage off a category (with its subcategories) or an attribute value, fixed at
    once into per-variant prices (and again when the release is scheduled). Raises NotDraft;
    ValueError for a percentage outside (0, 100) or not exactly one target."""
    if not Decimal(0) < Decimal(percent_off) < Decimal(100):
        raise ValueError("A percentage off is more than 0 and less than 100.")
    if (category is None) == (attribute_value is None):
        raise ValueError("A price rule names a category or an attribute value.")
    with transaction.atomic():
        locked = _draft(release.pk)
        rule = ReleasePriceRule.objects.create(
            release=locked,
            percent_off=percent_off,
            category=category,
            attribute_value=attribute_value,
        )
        _fix_rules(locked)
        return rule


def remove_price_rule(*, rule: ReleasePriceRule) -> None:
    """Delete a rule and the prices fixed from it. Raises NotDraft."""
    with transaction.atomic():
        locked = _draft(rule.release_id)
        rule.delete()
        _fix_rules(locked)


def _rule_variants(rule: ReleasePriceRule):
    products = Product.objects.all()
    if rule.category_id is not None:
        products = products.in_category_tree(rule.category_id)
    else:
        products = products.filter(attributes__value_id=rule.attribute_value_id)
    return Variant.objects.filter(product__in=products.values("pk"))


def _fix_rules(release: Release) -> int:
    """Recompute every rule's prices from the variants' prices now; returns how many. A price
    set directly wins over a rule; where two rules cover a variant, the later rule wins."""
    ReleasePrice.objects.filter(release=release, rule__isnull=False).delete()
    direct = set(
        ReleasePrice.objects.filter(release=release, rule__isnull=True).values_list(
            "variant_id", flat=True
        )
    )
    fixed: dict[int, ReleasePrice] = {}
    for rule in release.price_rules.order_by("pk"):
        keep = (Decimal(100) - rule.percent_off) / Decimal(100)
        for variant_id, price in _rule_variants(rule).values_list("pk", "price"):
            if variant_id not in direct:
                fixed[variant_id] = ReleasePrice(
                    release=release,
                    variant_id=variant_id,
                    price=max(to_money(price * keep), LOWEST_PRICE),
                    rule=rule,
                )
    ReleasePrice.objects.bulk_create(fixed.values())
    return len(fixed)


def set_visibility(*, release: Release, product: Product, visible: bool) -> ReleaseVisibility:
    """Show (even a draft product) or hide a product while the release is in force."""
    with transaction.atomic():
        _draft(release.pk)
        row, _ = ReleaseVisibility.objects.update_or_create(
            release=release, product=product, defaults={"visible": visible}
        )
        return row


def change_page(
    *,
    release: Release,
    page: DynamicPage,
    action: str,
    title: str = "",
    body: str = "",
    seo_title: str = "",
    seo_description: str = "",
) -> ReleasePage:
    """Publish, edit (new words) or unpublish a CMS page while the release is in force."""
    if action not in ReleasePage.Action.values:
        raise ValueError(f"Unknown page change {action!r}.")
    with transaction.atomic():
        _draft(release.pk)
        row, _ = ReleasePage.objects.update_or_create(
            release=release,
            page=page,
            defaults={
                "action": action,
                "title": title if action == ReleasePage.Action.EDIT else "",
                "body": body if action == ReleasePage.Action.EDIT else "",
                "seo_title": seo_title,
                "seo_description": seo_description,
            },
        )
        return row


def add_new_page(*, release: Release, slug: str, title: str, body: str) -> DynamicPage:
    """A new CMS page that the release publishes: saved unpublished (staff preview it at its
    URL), shown to everyone while the release is in force. Raises ValidationError for a slug the
    shop reserves."""
    with transaction.atomic():
        _draft(release.pk)
        page = DynamicPage.objects.create(slug=slug, title=title, body=body, published=False)
        ReleasePage.objects.create(release=release, page=page, action=ReleasePage.Action.PUBLISH)
        return page


def add_coupon(
    *,
    release: Release,
    code: str,
    kind: str = Coupon.Kind.PERCENT,
    value: Decimal,
    description: str = "",
    min_subtotal: Decimal = Decimal("0"),
    usage_limit: int | None = None,
    per_customer_limit: int | None = None,
) -> Coupon:
    """A coupon valid only while the release is in force. Raises NotDraft, CodeTaken."""
    normalised = normalise_code(code)
    try:
        with transaction.atomic():
            _draft(release.pk)
            return Coupon.objects.create(
                release=release,
                code=normalised,
                kind=kind,
                value=value,
                description=description or release.name,
                min_subtotal=min_subtotal,
                usage_limit=usage_limit,
                per_customer_limit=per_customer_limit,
            )
    except IntegrityError:
        raise CodeTaken(normalised) from None


def save_homepage(*, release: Release, user) -> Release:
    """Move the user's homepage draft into the release: the release shows that homepage while
    it is in force, and the draft is gone (the live homepage is untouched). Saving again
    replaces it. Raises NotDraft, NoHomepageDraft."""
    with transaction.atomic():
        locked = _draft(release.pk)
        draft = locks.lock_draft(owner_id=user.pk)
        if draft is None:
            raise NoHomepageDraft()
        target = locked.layout or Layout.objects.create(kind=Layout.Kind.RELEASE)
        target.blocks.all().delete()
        layout_services.copy_blocks(source=draft, target=target)
        draft.delete()
        if locked.layout_id != target.pk:
            locked.layout = target
            locked.save(update_fields=["layout", "updated"])
        _record(locked, ReleaseEvent.Action.HOMEPAGE, user)
        return locked


def edit_homepage(*, release: Release, user) -> Layout:
    """Put the release's homepage into the user's draft (replacing it), to edit it on the
    storefront and save it back. Raises NoHomepageDraft when the release has none."""
    if release.layout_id is None:
        raise NoHomepageDraft()
    assert release.layout is not None
    return layout_services.replace_draft(user=user, source=release.layout)


def remove_homepage(*, release: Release) -> None:
    """The release leaves the homepage as it is. Raises NotDraft."""
    with transaction.atomic():
        locked = _draft(release.pk)
        layout = locked.layout
        if layout is not None:
            locked.layout = None
            locked.save(update_fields=["layout", "updated"])
            layout.delete()


# Scheduling, moving back, rolling back ---------------------------------------------------------


def schedule(*, release: Release, user, now: datetime | None = None) -> Release:
    """Schedule a draft: from its start it is in force for everyone, to the second.

    Its price rules are fixed into per-variant prices from the prices of this moment. The
    conflict rule: no two scheduled releases change the same variant's price, product's
    visibility, page or the homepage in overlapping windows; the second to be scheduled is
    refused (ScheduleConflict, listing what overlaps), checked while every release row is
    locked. Raises NotDraft, StartPassed, ScheduleConflict; on any of them nothing changed.
    """
    with transaction.atomic():
        locked = {row.pk: row for row in locks.lock_releases()}
        current = locked[release.pk]
        if not current.is_draft:
            raise NotDraft()
        moment = now or timezone.now()
        if current.starts_at <= moment:
            raise StartPassed()
        _fix_rules(current)
        found = conflicts_with_scheduled(current)
        if found:
            raise ScheduleConflict(found)  # leaving the block rolls the fixed prices back
        current.status = Release.Status.SCHEDULED
        current.scheduled_at, current.scheduled_by = moment, user
        current.save(update_fields=["status", "scheduled_at", "scheduled_by", "updated"])
        _record(current, ReleaseEvent.Action.SCHEDULED, user)
        cache_invalidation.releases_changed()
        return current


def unschedule(*, release: Release, user, now: datetime | None = None) -> Release:
    """Move a scheduled release that has not started back to draft, to change it (a draft
    stays a draft). Raises AlreadyLive once it has started: roll it back instead."""
    with transaction.atomic():
        current = locks.lock_release(release.pk)
        if current.status == Release.Status.DRAFT:
            return current
        if current.state_at(now or timezone.now()) != Release.SCHEDULED:
            raise AlreadyLive()
        current.status = Release.Status.DRAFT
        current.save(update_fields=["status", "updated"])
        _record(current, ReleaseEvent.Action.UNSCHEDULED, user)
        cache_invalidation.releases_changed()
        return current


def roll_back(*, release: Release, user, note: str = "", now: datetime | None = None) -> Release:
    """Undo a live or ended release as a unit, and record it: from the next request nothing it
    changed shows (prices, visibility, the homepage, pages, its coupons). Orders placed while
    it was in force keep their prices. Raises NotStarted (a scheduled release that has not
    started: move it back to draft), NotDraft for a draft or one already rolled back."""
    with transaction.atomic():
        current = locks.lock_release(release.pk)
        moment = now or timezone.now()
        state = current.state_at(moment)
        if state == Release.SCHEDULED:
            raise NotStarted()
        if state not in (Release.LIVE, Release.ENDED):
            raise NotDraft()
        current.status = Release.Status.ROLLED_BACK
        current.rolled_back_at, current.rolled_back_by = moment, user
        current.save(update_fields=["status", "rolled_back_at", "rolled_back_by", "updated"])
        was = "while live" if state == Release.LIVE else "after it ended"
        _record(current, ReleaseEvent.Action.ROLLED_BACK, user, note=note or f"Rolled back {was}.")
        cache_invalidation.releases_changed()
        return current

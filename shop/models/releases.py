"""Campaign releases: a named window of time and everything the store shows differently in it.

A release bundles any of: a homepage layout (copied from a marketer's draft), CMS page changes
(a new page published, a page's words replaced, a page taken down), product visibility (shown,
hidden), variant prices (set directly, or a percentage off a category or attribute value, fixed to
per-variant prices when it is scheduled) and coupons valid only while it is in force.

Nothing here is applied to the live rows: the store at a moment is the live rows plus every
scheduled release in force then (shop.moment), resolved by each read. `status` holds
what people decide (draft, scheduled, rolled back); whether a scheduled release is waiting, live
or ended is a matter of the clock (`state_at`), so it changes on the second with no job.

Invariants the database enforces: a release ends after it starts, a variant's price and a
product's visibility and a page are changed once per release, a price is positive, a percentage
is between 0 and 100 and a rule names exactly one category or attribute value. Two scheduled
releases never change the same thing in overlapping windows: services.releases.schedule refuses
under a lock on every release row (see there).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shop.domain.releases import Claim, Conflict, conflicts
from shop.models.catalog import AttributeValue, Category, Product, Variant
from shop.models.layout import Layout
from shop.models.pages import DynamicPage
from shop.moment.values import PageChange, Timeline, Window
from shop.sanitising import clean_rich_text

MANAGE_RELEASES_PERMISSION = "shop.manage_releases"
TIME_TRAVEL_PERMISSION = "shop.time_travel"


def who_did_it() -> models.ForeignKey:
    """A user who did something to a release (kept, as nobody, if the user goes)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


class ReleaseQuerySet(models.QuerySet["Release"]):
    def scheduled(self) -> "ReleaseQuerySet":
        return self.filter(status=Release.Status.SCHEDULED)

    def timeline(self) -> Timeline:
        """Every scheduled release's window (one query)."""
        rows = (
            self.scheduled().order_by("starts_at", "pk").values_list("pk", "starts_at", "ends_at")
        )
        return Timeline(tuple(Window(pk, starts, ends) for pk, starts, ends in rows))


class Release(models.Model):
    """A campaign: a name, a window, an owner, and the changes it bundles (related rows)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        ROLLED_BACK = "rolled_back", "Rolled back"

    # What `state_at` says: the stored status, with the clock deciding for scheduled ones.
    DRAFT, SCHEDULED, LIVE, ENDED, ROLLED_BACK = (
        "draft",
        "scheduled",
        "live",
        "ended",
        "rolled back",
    )

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, help_text="What the campaign is, for colleagues.")
    starts_at = models.DateTimeField(help_text="In force from this moment, to the second.")
    ends_at = models.DateTimeField(
        null=True, blank=True, help_text="Until this moment (exclusive); empty: for good."
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="releases",
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    layout = models.OneToOneField(
        Layout,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="release",
        editable=False,
        help_text="The homepage shown while it is in force (copied from a draft).",
    )
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    scheduled_by = who_did_it()
    rolled_back_at = models.DateTimeField(null=True, blank=True, editable=False)
    rolled_back_by = who_did_it()
    created = models.DateTimeField(default=timezone.now, editable=False)
    updated = models.DateTimeField(auto_now=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        permissions = [
            ("manage_releases", "Can build, schedule and roll back releases"),
            ("time_travel", "Can see the store as it will be at another moment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="release_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A release ends after it starts."})

    @property
    def window(self) -> Window:
        assert self.pk is not None
        return Window(self.pk, self.starts_at, self.ends_at)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def state_at(self, moment: datetime) -> str:
        """draft, scheduled (waiting to start), live, ended or rolled back, at `moment`."""
        if self.status == self.Status.DRAFT:
            return self.DRAFT
        if self.status == self.Status.ROLLED_BACK:
            return self.ROLLED_BACK
        if moment < self.starts_at:
            return self.SCHEDULED
        if self.ends_at is not None and moment >= self.ends_at:
            return self.ENDED
        return self.LIVE


class ReleasePriceRule(models.Model):
    """A percentage off every variant of a category (and its subcategories) or of the products
    with an attribute value. Scheduling fixes it into one ReleasePrice per variant, from the
    prices of that moment (services.releases.fix_rule_prices); a draft's rows are fixed when the
    rule is added, so a preview shows them."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="price_rules")
    percent_off = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("99.99"))],
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attribute_value = models.ForeignKey(
        AttributeValue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_off__gt=0) & Q(percent_off__lt=100),
                name="release_rule_percent_in_range",
            ),
            models.CheckConstraint(
                condition=Q(category__isnull=True, attribute_value__isnull=False)
                | Q(category__isnull=False, attribute_value__isnull=True),
                name="release_rule_one_target",
            ),
        ]

    def __str__(self) -> str:
        target = self.category or self.attribute_value
        return f"{Decimal(self.percent_off).normalize():f}% off {target}"

    def clean(self) -> None:
        if (self.category_id is None) == (self.attribute_value_id is None):
            raise ValidationError("Choose a category or an attribute value (one of them).")


class ReleasePrice(models.Model):
    """A variant's price while the release is in force (`rule`: the rule it was fixed from)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="prices")
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    rule = models.ForeignKey(
        ReleasePriceRule, null=True, blank=True, on_delete=models.CASCADE, related_name="prices"
    )

    class Meta:
        ordering = ["variant"]
        constraints = [
            models.UniqueConstraint(fields=["release", "variant"], name="release_price_once"),
            models.CheckConstraint(condition=Q(price__gt=0), name="release_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id}: {self.price}"


class ReleaseVisibility(models.Model):
    """A product shown (even a draft) or hidden while the release is in force."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="visibility")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    visible = models.BooleanField(help_text="Shown (ticked) or hidden.")

    class Meta:
        ordering = ["product"]
        verbose_name_plural = "release visibility"
        constraints = [
            models.UniqueConstraint(fields=["release", "product"], name="release_visibility_once")
        ]

    def __str__(self) -> str:
        return f"{'Show' if self.visible else 'Hide'} {self.product_id}"


class ReleasePage(models.Model):
    """A CMS page's change while the release is in force. A new page is a DynamicPage saved
    unpublished with a `publish` change; an `edit` replaces the page's words; `unpublish` takes
    it down."""

    class Action(models.TextChoices):
        PUBLISH = PageChange.PUBLISH, "Publish (a new page)"
        EDIT = PageChange.EDIT, "Replace its words"
        UNPUBLISH = PageChange.UNPUBLISH, "Unpublish"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="pages")
    page = models.ForeignKey(DynamicPage, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    title = models.CharField(max_length=200, blank=True, help_text="Edits only.")
    body = models.TextField(blank=True, help_text="Edits only: rich text, sanitised on save.")
    seo_title = models.CharField("SEO title", max_length=70, blank=True)
    seo_description = models.CharField("SEO description", max_length=160, blank=True)

    class Meta:
        ordering = ["page"]
        constraints = [
            models.UniqueConstraint(fields=["release", "page"], name="release_page_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.page_id}"

    def save(self, *args, **kwargs):
        self.body = clean_rich_text(self.body)
        super().save(*args, **kwargs)

    @property
    def change(self) -> PageChange:
        return PageChange(
            action=self.action,
            title=self.title,
            body=self.body,
            seo_title=self.seo_title,
            seo_description=self.seo_description,
        )


class ReleaseEvent(models.Model):
    """The history of a release: who created, scheduled, unscheduled or rolled it back, when."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        HOMEPAGE = "homepage", "Homepage saved into it"
        SCHEDULED = "scheduled", "Scheduled"
        UNSCHEDULED = "unscheduled", "Back to draft"
        ROLLED_BACK = "rolled_back", "Rolled back"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} at {self.at:%Y-%m-%d %H:%M:%S}"


def claims_of(release_ids: Iterable[int]) -> dict[int, list[Claim]]:
    """{release id: what it changes, as the conflict rule compares} (four queries)."""
    ids = list(release_ids)
    claims: dict[int, list[Claim]] = {pk: [] for pk in ids}
    for pk in Release.objects.filter(pk__in=ids, layout__isnull=False).values_list("pk", flat=True):
        claims[pk].append(Claim(Claim.HOMEPAGE, 0, "the homepage"))
    for pk, variant, product_name, name in ReleasePrice.objects.filter(
        release_id__in=ids
    ).values_list("release_id", "variant_id", "variant__product__name", "variant__name"):
        claims[pk].append(Claim(Claim.PRICE, variant, f"{product_name} ({name})"))
    for pk, product_id, product_name in ReleaseVisibility.objects.filter(
        release_id__in=ids
    ).values_list("release_id", "product_id", "product__name"):
        claims[pk].append(Claim(Claim.VISIBILITY, product_id, product_name))
    for pk, page, title in ReleasePage.objects.filter(release_id__in=ids).values_list(
        "release_id", "page_id", "page__title"
    ):
        claims[pk].append(Claim(Claim.PAGE, page, f"“{title}”"))
    return claims


def conflicts_with_scheduled(release: Release) -> list[Conflict]:
    """The scheduled releases that overlap `release` and change some of the same things (the
    conflict rule, shop.domain.releases.conflicts): five queries."""
    others = list(Release.objects.scheduled().exclude(pk=release.pk))
    claims = claims_of([release.pk, *(other.pk for other in others)])
    return conflicts(
        release.window,
        claims[release.pk],
        [(other.window, other.name, claims[other.pk]) for other in others],
    )

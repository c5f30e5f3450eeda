"""The homepage layout: blocks in regions, the live layout, per-user drafts and published revisions.

One table of blocks serves three kinds of layout:

- the live layout: exactly one row, whose `version` goes up by one on every publish;
- drafts: at most one per staff user, copied from the live layout on their first change
  (copy-on-write); `base_version` is the live version the copy was taken from, so publishing can
  refuse when somebody else published in between;
- revisions: a frozen copy of what each publish made live, numbered by the version it created;
- releases: the homepage a campaign release shows while it is in force (shop.models.releases),
  copied from a marketer's draft.

A block keeps its `key` when it is copied between layouts, so a draft block can be compared with
the live block it came from and a revision can be restored block by block.

Invariants the database enforces: one live layout, one draft per user, one revision per version,
a block key once per layout, a visibility window that ends after it starts, a featured-products
count between 1 and MAX_FEATURED_PRODUCTS, a chosen product once per block.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from shop.domain.customers import is_staff_with
from shop.models.catalog import AttributeValue, Category, Product
from shop.sanitising import clean_custom_html, clean_rich_text

MAX_FEATURED_PRODUCTS = 24


class LayoutQuerySet(models.QuerySet):
    def live(self) -> "LayoutQuerySet":
        return self.filter(kind=Layout.Kind.LIVE)

    def drafts(self) -> "LayoutQuerySet":
        return self.filter(kind=Layout.Kind.DRAFT)

    def revisions(self) -> "LayoutQuerySet":
        return self.filter(kind=Layout.Kind.REVISION)


class Layout(models.Model):
    """A set of homepage blocks: the live layout, a staff user's draft, or a published revision."""

    class Kind(models.TextChoices):
        LIVE = "live", "Live"
        DRAFT = "draft", "Draft"
        REVISION = "revision", "Revision"
        RELEASE = "release", "Release"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="homepage_drafts",
        help_text="Drafts only: the staff user whose draft this is.",
    )
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="Drafts only: the live version this draft was copied from."
    )
    version = models.PositiveIntegerField(
        default=0, help_text="Live: the current version. Revisions: the version they became."
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(auto_now=True)

    objects = LayoutQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-version", "pk"]
        permissions = [("edit_homepage", "Can edit, preview and publish the homepage")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="live"), name="layout_one_live"
            ),
            models.UniqueConstraint(
                fields=["owner"], condition=Q(kind="draft"), name="layout_one_draft_per_user"
            ),
            models.UniqueConstraint(
                fields=["version"], condition=Q(kind="revision"), name="layout_revision_version"
            ),
            models.CheckConstraint(
                condition=~Q(kind="draft")
                | (Q(owner__isnull=False) & Q(base_version__isnull=False)),
                name="layout_draft_has_owner_and_base",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.DRAFT:
            return f"Draft of {self.owner} (from version {self.base_version})"
        if self.kind == self.Kind.REVISION:
            return f"Revision {self.version}"
        if self.kind == self.Kind.RELEASE:
            return f"Homepage of a release ({self.pk})"
        return f"Live layout (version {self.version})"


class LayoutBlock(models.Model):
    """One block of the homepage. Which fields matter depends on `kind` (shop.models.blocks)."""

    class Kind(models.TextChoices):
        HERO = "hero", "Hero banner"
        FEATURED_PRODUCTS = "featured_products", "Featured products"
        CATEGORY_GRID = "category_grid", "Category grid"
        PROMO_BANNER = "promo_banner", "Promotional banner"
        RICH_TEXT = "rich_text", "Rich text"
        CUSTOM_HTML = "custom_html", "Custom HTML"

    class Region(models.TextChoices):
        TOP = "top", "Top"
        MAIN = "main", "Main"
        BOTTOM = "bottom", "Bottom"

    class ProductSource(models.TextChoices):
        CHOSEN = "chosen", "Products I choose"
        CATEGORY = "category", "Newest in stock in a category"
        ATTRIBUTE = "attribute", "Newest in stock with an attribute"

    class Tone(models.TextChoices):
        ACCENT = "accent", "Accent"
        CALM = "calm", "Calm"
        DARK = "dark", "Dark"

    layout = models.ForeignKey(Layout, on_delete=models.CASCADE, related_name="blocks")
    key = models.UUIDField(default=uuid.uuid4, help_text="Stays the same across copies.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=10, choices=Region.choices, default=Region.MAIN)
    order = models.PositiveIntegerField(default=0, help_text="Position within the layout.")
    active = models.BooleanField(default=True, help_text="Hidden blocks are never shown.")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Shown from (optional).")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Shown until (optional).")

    heading = models.CharField(max_length=160, blank=True)
    text = models.TextField(blank=True, max_length=600)
    body = models.TextField(blank=True, help_text="Rich text or custom HTML; sanitised on save.")
    image = models.ImageField(
        upload_to="layout/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        max_length=255,
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField("image alt text", max_length=200, blank=True)
    cta_label = models.CharField("call to action label", max_length=60, blank=True)
    cta_url = models.CharField("call to action link", max_length=500, blank=True)
    tone = models.CharField(max_length=10, choices=Tone.choices, default=Tone.ACCENT)

    product_source = models.CharField(
        max_length=10, choices=ProductSource.choices, default=ProductSource.CHOSEN
    )
    products = models.ManyToManyField(
        Product, through="LayoutBlockProduct", blank=True, related_name="+"
    )
    rule_category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule_attribute_value = models.ForeignKey(
        AttributeValue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_count = models.PositiveSmallIntegerField(default=4)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="+", help_text="Category grid; none means the top level."
    )

    class Meta:
        ordering = ["layout", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["layout", "key"], name="layout_block_key_once"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=models.F("starts_at")),
                name="layout_block_window_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(product_count__gte=1) & Q(product_count__lte=MAX_FEATURED_PRODUCTS),
                name="layout_block_product_count_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.heading or self.key}"

    def save(self, *args, **kwargs):
        # Sanitised on the way in as well as on the way out: the stored HTML is never hostile.
        if self.kind == self.Kind.CUSTOM_HTML:
            self.body = clean_custom_html(self.body)
        else:
            self.body = clean_rich_text(self.body)
        super().save(*args, **kwargs)

    def visible_at(self, moment: datetime) -> bool:
        return block_visible(self.active, self.starts_at, self.ends_at, moment)


def block_visible(
    active: bool, starts_at: datetime | None, ends_at: datetime | None, moment: datetime
) -> bool:
    """Whether a block with this flag and window shows at `moment` (window start inclusive)."""
    if not active:
        return False
    if starts_at is not None and moment < starts_at:
        return False
    return ends_at is None or moment < ends_at


class LayoutBlockProduct(models.Model):
    """A product chosen for a featured-products block, in the marketer's order."""

    block = models.ForeignKey(LayoutBlock, on_delete=models.CASCADE, related_name="chosen")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["block", "product"], name="layout_block_product_once")
        ]

    def __str__(self) -> str:
        return f"{self.block}: {self.product}"


EDIT_HOMEPAGE_PERMISSION = "shop.edit_homepage"


def can_edit_homepage(user) -> bool:
    """Whether `user` may edit, preview, share and publish homepage drafts."""
    return is_staff_with(user, EDIT_HOMEPAGE_PERMISSION)

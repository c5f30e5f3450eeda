"""The catalog: categories, products, their variants, images and facet attributes.

Invariants the database enforces: SKUs are unique, stock never goes below zero, prices are
positive, a product has at most one primary image, a product carries an attribute value once.
"""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from shop.domain.availability import Availability

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from shop.models.search import Match
    from shop.moment.values import StoreState

    class CardFields(TypedDict):
        """What `ProductQuerySet.as_cards` adds to each product row."""

        category_name: str
        stock_total: int
        variant_count: int
        first_variant_id: int | None
        primary_images: list["ProductImage"]

    CardRow = WithAnnotations["Product", CardFields]

MAX_CATEGORY_DEPTH = 3


class Category(models.Model):
    """A node of the category tree (at most MAX_CATEGORY_DEPTH levels)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:catalog-category", kwargs={"category_slug": self.slug})

    def ancestors(self) -> list["Category"]:
        """Return the chain from the root down to this category's parent (queries per level)."""
        chain: list[Category] = []
        node = self.parent
        while node is not None:
            chain.insert(0, node)
            node = node.parent
        return chain

    def clean(self) -> None:
        node, depth, seen = self.parent, 1, {self.pk}
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "A category cannot be its own ancestor."})
            seen.add(node.pk)
            depth += 1
            node = node.parent
        if depth > MAX_CATEGORY_DEPTH:
            raise ValidationError(
                {"parent": f"Categories nest at most {MAX_CATEGORY_DEPTH} levels deep."}
            )


class Warehouse(models.Model):
    """Where stock is held and shipped from. A variant's stock count belongs to one warehouse."""

    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=20, unique=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, default="GB", help_text="ISO 3166-1 alpha-2")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ProductQuerySet(models.QuerySet["Product"]):
    def refresh_price_range(self) -> int:
        """Recompute `min_price`/`max_price` of these products from their variants.

        Called after every change to a variant's price (shop.receivers, bulk seeds), so
        the catalog can sort and show price ranges without aggregating all variants per request.
        Returns the number of products updated.
        """
        variants = Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")
        return self.update(
            min_price=Subquery(variants.annotate(v=Min("price")).values("v")[:1]),
            max_price=Subquery(variants.annotate(v=Max("price")).values("v")[:1]),
        )

    def as_cards(
        self, pictures_of: dict[str, list[str]] | None = None
    ) -> "models.QuerySet[CardRow, Any]":
        """These products with everything a product card shows: one query, plus one for images.

        Beside the price range (`min_price`, `max_price`), each row carries `category_name`,
        `stock_total` (0 without variants), `variant_count`, `first_variant_id` and
        `primary_images`: the primary image, and with `pictures_of` (option values, e.g.
        {"colour": ["Red"]}) the images of those values too. shop.queries.catalog.ProductCard
        is built from these rows.
        """
        shown = Q(is_primary=True)
        for option, values in (pictures_of or {}).items():
            shown |= Q(**{f"options__{option}__in": values})
        variants = Variant.objects.filter(product=OuterRef("pk")).order_by().values("product")

        def per_product(aggregate):
            return Subquery(variants.annotate(value=aggregate).values("value"))

        return self.annotate(
            category_name=F("category__name"),
            stock_total=Coalesce(per_product(Sum("stock")), 0),
            variant_count=Coalesce(per_product(Count("pk")), 0),
            first_variant_id=per_product(Min("pk")),
        ).prefetch_related(
            Prefetch(
                "images",
                queryset=ProductImage.objects.filter(shown),
                to_attr="primary_images",
            )
        )

    def published(self, state: "StoreState") -> "ProductQuerySet":
        """Products shoppers see in `state`: published by its moment, and as the releases in
        force then show or hide them (shop.moment)."""
        shown = Q(status=Product.Status.PUBLISHED, published_at__lte=state.at)
        hidden, added = state.effects.hidden_products, state.effects.shown_products
        if hidden:
            shown &= ~Q(pk__in=hidden)
        if added:
            shown |= Q(pk__in=added)
        return self.filter(shown)

    def in_category_tree(self, category_id: int) -> "ProductQuerySet":
        """Products of the category or of any category below it."""
        under = Q()
        for depth in range(MAX_CATEGORY_DEPTH):
            under |= Q(**{"category" + "__parent" * depth + "_id": category_id})
        return self.filter(under)

    def in_stock(self) -> "ProductQuerySet":
        return self.filter(Exists(Variant.objects.filter(product=OuterRef("pk"), stock__gt=0)))

    def search(self, query: "str | Match") -> "ProductQuerySet":
        """Products matching a search (shop.models.search): a resolved `Match`, or a text whose
        words are taken literally (stemmed; the last one also as a prefix, while typing)."""
        from shop.models.search import Match, matching  # search documents refer to products

        return self.filter(matching(query if isinstance(query, Match) else Match.literal(query)))


class Product(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(default=timezone.now)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    updated = models.DateTimeField(auto_now=True)
    # Denormalised from the variants (see ProductQuerySet.refresh_price_range): what cards show
    # and what "price" sorts by. Checkout never reads these; it reads Variant.price.
    min_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, editable=False)
    max_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, editable=False)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "category"]),
            models.Index(fields=["min_price", "id"], name="product_price_sort"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product-detail", kwargs={"slug": self.slug})

    def is_on_sale(self, now: datetime) -> bool:
        """Whether shoppers may buy it at `now` (what `ProductQuerySet.published` selects)."""
        return self.status == Product.Status.PUBLISHED and self.published_at <= now


class Variant(models.Model):
    """A buyable version of a product (one SKU), with its own price and stock count."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    name = models.CharField(max_length=120, help_text='For example "M / Navy".')
    options = models.JSONField(
        default=dict, blank=True, help_text='Option values, e.g. {"size": "M", "colour": "Navy"}.'
    )
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    stock = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="variants"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_not_negative"),
            models.CheckConstraint(condition=Q(price__gt=0), name="variant_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.name} ({self.sku})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)  # post_save receivers can still see `price_dropped`
        self._loaded_price: Decimal | None = self.price

    @property
    def price_now(self) -> Decimal:
        """The price shoppers pay where this row was read: the price of the release in force
        that sets it (`set_price_in_force`, by the read model or checkout), else its own."""
        return self.__dict__.get("_price_in_force") or self.price

    @property
    def price_note(self) -> str:
        """The release whose price `price_now` is ("" for the variant's own price)."""
        return self.__dict__.get("_price_note", "")

    def set_price_in_force(self, price: Decimal, note: str = "") -> None:
        """Record the price in force (shop.models.releases); `price` itself stays as stored."""
        self.__dict__["_price_in_force"] = Decimal(price)
        self.__dict__["_price_note"] = note

    @property
    def price_dropped(self) -> bool:
        """Whether the price being saved is lower than the price this row was read with."""
        loaded = getattr(self, "_loaded_price", None)
        return loaded is not None and Decimal(self.price) < loaded

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        variant = super().from_db(db, field_names, values, **kwargs)
        variant._loaded_price = variant.__dict__.get("price")
        return variant

    @property
    def availability(self) -> Availability:
        return Availability(quantity=self.stock)


def product_image_path(instance: "ProductImage", filename: str) -> str:
    return f"products/{filename}"


# Renditions of a product image: WebP and (where Pillow can write it) AVIF copies at these widths,
# beside the original, named by `rendition_name`. shop.services.images writes them.
RENDITION_WIDTHS = (320, 640)
RENDITION_TYPES = {"avif": "image/avif", "webp": "image/webp"}


def rendition_name(name: str, width: int, fmt: str) -> str:
    """The stored name of the `fmt` rendition, `width` pixels wide, of the image named `name`."""
    stem = name.rsplit(".", 1)[0]
    return f"{stem}-{width}w.{fmt}"


class Source(TypedDict):
    type: str
    srcset: str


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(
        upload_to=product_image_path, width_field="width", height_field="height", max_length=255
    )
    alt = models.CharField("alt text", max_length=200)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveIntegerField(default=0)
    is_primary = models.BooleanField(default=False)
    options = models.JSONField(
        default=dict,
        blank=True,
        help_text='The variants it shows, by option values (e.g. {"colour": "Navy"}); '
        "empty: every variant.",
    )
    # What shop.services.images wrote for this image: {"of": image name, "widths": [...],
    # "formats": [...]}. Kept on the row so a page derives every URL without another query.
    renditions = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-is_primary", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product"], condition=Q(is_primary=True), name="one_primary_image"
            )
        ]

    def __str__(self) -> str:
        return self.alt

    def shows(self, values: dict[str, str]) -> bool:
        """Whether it pictures the variant with these option values (see `options`)."""
        return all(values.get(name) == value for name, value in self.options.items())

    @property
    def sources(self) -> list[Source]:
        """The `<source>`s of a `<picture>`: best format first, each with its srcset.

        Empty until renditions of the current file were written (then `<img src>` alone shows).
        """
        made = self.renditions or {}
        if not self.image or made.get("of") != self.image.name:
            return []
        storage, name = self.image.storage, str(self.image.name)
        return [
            Source(
                type=RENDITION_TYPES[fmt],
                srcset=", ".join(
                    f"{storage.url(rendition_name(name, w, fmt))} {w}w"
                    for w in made.get("widths", [])
                ),
            )
            for fmt in RENDITION_TYPES
            if fmt in made.get("formats", []) and made.get("widths")
        ]


class AttributeDefinition(models.Model):
    """A kind of attribute shown as a facet, such as colour or material."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=40, unique=True, help_text="Used as the filter's URL key.")
    is_facet = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    definition = models.ForeignKey(
        AttributeDefinition, on_delete=models.CASCADE, related_name="values"
    )
    label = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["definition", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "slug"], name="attribute_value_slug")
        ]

    def __str__(self) -> str:
        return f"{self.definition.name}: {self.label}"


class ProductAttribute(models.Model):
    """A product's value for an attribute; `definition` is copied from the value for faceting."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attributes")
    definition = models.ForeignKey(AttributeDefinition, on_delete=models.CASCADE, editable=False)
    value = models.ForeignKey(AttributeValue, on_delete=models.CASCADE)

    class Meta:
        ordering = ["definition__position", "value__position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "value"], name="product_attribute_once")
        ]
        indexes = [models.Index(fields=["value", "product"])]

    def __str__(self) -> str:
        return f"{self.product}: {self.value}"

    def save(self, *args, **kwargs):
        self.definition_id = self.value.definition_id
        super().save(*args, **kwargs)

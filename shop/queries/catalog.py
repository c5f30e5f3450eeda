"""Read models for the catalog pages: everything a template touches, in a fixed number of queries.

`product_listing` costs six queries whatever the page size or catalog size: categories,
attribute values, category counts (which also give the total and the price range), attribute
counts, the page of product cards (with their stock) and its primary images. The two counting
queries are cached per filter state, so a warm listing costs four.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    Prefetch,
    Q,
    When,
)

from shop import cache_tokens
from shop.domain.availability import Availability
from shop.models import (
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
)
from shop.models.search import relevance
from shop.queries import search as search_queries

if TYPE_CHECKING:
    from shop.models.catalog import CardRow

SORTS = [
    ("newest", "Newest"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("name", "Name: A to Z"),
]
# Sold-out products go last in the default order: a shopper's first screen is things they can buy.
# `stock_total` is an `as_cards()` annotation, so this costs no extra query.
SOLD_OUT_LAST = Case(When(stock_total__gt=0, then=0), default=1, output_field=IntegerField())

ORDERINGS = {
    "newest": (SOLD_OUT_LAST.asc(), "-created", "-pk"),
    "price": (F("min_price").asc(nulls_last=True), "pk"),
    "-price": (F("min_price").desc(nulls_last=True), "-pk"),
    "name": ("name", "pk"),
}


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False
    sort: str = "newest"
    page: int = 1
    attributes: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ProductCard:
    """A product as its card shows it, wherever the card appears (catalog, homepage, wishlist).

    Built by `from_row` from a `Product.objects.as_cards()` row. `single_variant_id` is set only
    when the product has exactly one variant, so the card can offer "Add to cart" itself.
    """

    pk: int
    name: str
    url: str
    category_name: str
    min_price: Decimal | None
    max_price: Decimal | None
    availability: Availability
    single_variant_id: int | None
    primary_image: ProductImage | None

    @classmethod
    def from_row(cls, product: "CardRow") -> "ProductCard":
        return cls(
            pk=product.pk,
            name=product.name,
            url=product.get_absolute_url(),
            category_name=product.category_name,
            min_price=product.min_price,
            max_price=product.max_price,
            availability=Availability(quantity=product.stock_total),
            single_variant_id=product.first_variant_id if product.variant_count == 1 else None,
            primary_image=next(iter(product.primary_images), None),
        )


@dataclass
class CategoryLink:
    category: Category
    count: int
    depth: int
    selected: bool
    in_path: bool


@dataclass
class FacetValue:
    slug: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    slug: str
    name: str
    values: list[FacetValue]

    @property
    def has_selection(self) -> bool:
        return any(v.selected for v in self.values)


@dataclass
class CatalogPage:
    filters: CatalogFilters
    category: Category | None
    breadcrumbs: list[Category]
    products: list[ProductCard]
    total: int
    page: int
    num_pages: int
    price_low: Decimal | None
    price_high: Decimal | None
    categories: list[CategoryLink]
    facets: list[Facet]
    notices: list[str]
    search: search_queries.SearchPlan | None = None  # what `filters.q` was taken to mean

    @property
    def found_nothing_for_search(self) -> bool:
        """A search with no other filter that matched nothing: worth the zero-result report."""
        f = self.filters
        return (
            self.search is not None
            and self.total == 0
            and self.category is None
            and f.page == 1
            and not (f.attributes or f.in_stock)
            and f.min_price is None
            and f.max_price is None
        )

    @property
    def has_previous(self) -> bool:
        return 1 < self.page <= self.num_pages

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def page_out_of_range(self) -> bool:
        return self.page > max(self.num_pages, 1)

    @property
    def first_index(self) -> int:
        return (self.page - 1) * settings.CATALOG_PAGE_SIZE + 1 if self.products else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.products) - 1 if self.products else 0


class UnknownCategory(LookupError):
    """No category has that slug."""


class _CategoryTree:
    """All categories, loaded in one query, with parent/child maps for roll-ups."""

    def __init__(self) -> None:
        self.nodes = list(Category.objects.all())
        self.by_pk = {c.pk: c for c in self.nodes}
        self.by_slug = {c.slug: c for c in self.nodes}
        self.children: dict[int | None, list[Category]] = {}
        for c in self.nodes:
            self.children.setdefault(c.parent_id, []).append(c)
        # Make `category.parent` free for every node so templates never query.
        for c in self.nodes:
            if c.parent_id:
                Category.parent.field.set_cached_value(c, self.by_pk.get(c.parent_id))
            else:
                Category.parent.field.set_cached_value(c, None)

    def path_to(self, category: Category) -> list[Category]:
        chain: list[Category] = []
        node: Category | None = category
        while node is not None:
            chain.insert(0, node)
            node = self.by_pk.get(node.parent_id) if node.parent_id else None
        return chain

    def subtree_ids(self, category: Category) -> list[int]:
        ids, stack = [], [category]
        while stack:
            node = stack.pop()
            ids.append(node.pk)
            stack.extend(self.children.get(node.pk, []))
        return ids

    def walk(self, parent_id: int | None = None, depth: int = 0):
        for node in self.children.get(parent_id, []):
            yield node, depth
            yield from self.walk(node.pk, depth + 1)


def _attribute_subquery(attribute_slug: str, value_slugs: tuple[str, ...]):
    return ProductAttribute.objects.filter(
        definition__slug=attribute_slug, value__slug__in=value_slugs
    ).values("product_id")


def _matches_attributes(selections: dict[str, tuple[str, ...]], *, except_slug: str | None = None):
    condition = Q()
    for slug, values in selections.items():
        if slug != except_slug:
            condition &= Q(product_id__in=_attribute_subquery(slug, values))
    return condition


def published_products():
    return Product.objects.published()


def _base_queryset(filters: CatalogFilters, plan: search_queries.SearchPlan | None):
    """Published products matching the search, price and stock filters (not category/attributes)."""
    qs = published_products()
    if plan is not None:
        qs = qs.search(plan.match)
    if filters.min_price is not None or filters.max_price is not None:
        price = Q()
        if filters.min_price is not None:
            price &= Q(price__gte=filters.min_price)
        if filters.max_price is not None:
            price &= Q(price__lte=filters.max_price)
        qs = qs.filter(pk__in=Variant.objects.filter(price).values("product_id"))
    if filters.in_stock:
        qs = qs.in_stock()
    return qs


def _with_attributes(qs, selections: dict[str, tuple[str, ...]]):
    for slug, values in selections.items():
        qs = qs.filter(pk__in=_attribute_subquery(slug, values))
    return qs


def _counts(
    *, filters: CatalogFilters, selections: dict, category_ids: list[int] | None, base
) -> tuple[list[dict], dict[int, int]]:
    """Category counts (with price ranges) and attribute-value counts for a filter state.

    They depend on the catalog's products, prices, attributes and on which products have any
    stock: every change to those bumps the counts' cache token (shop.cache_invalidation), so a
    cached answer is exact. The timeout only bounds products whose publication time passes.
    """
    key = (
        "catalog:counts:"
        + hashlib.sha256(
            repr(
                (
                    cache_tokens.current(cache_tokens.CATALOG_COUNTS),
                    filters.q,
                    str(filters.min_price),
                    str(filters.max_price),
                    filters.in_stock,
                    sorted(selections.items()),
                    sorted(category_ids) if category_ids is not None else None,
                )
            ).encode()
        ).hexdigest()
    )
    cached = cache.get(key) if settings.CATALOG_COUNTS_CACHE_SECONDS else None
    if cached is not None:
        return cached
    with_attrs = _with_attributes(base, selections)
    # Category counts (every filter but the category) also give the total and price range.
    category_rows = list(
        with_attrs.order_by()
        .values("category_id")
        .annotate(n=Count("pk"), low=Min("min_price"), high=Max("max_price"))
    )
    # Attribute counts: one query; each row counts products that match every *other* facet.
    # No DISTINCT needed: (product, value) is unique, so a value's rows are distinct products.
    in_category = base.filter(category_id__in=category_ids) if category_ids is not None else base
    count_expression = Count("product_id")
    if selections:
        whens = [
            When(
                Q(definition__slug=slug) & _matches_attributes(selections, except_slug=slug),
                then=F("product_id"),
            )
            for slug in selections
        ]
        whens.append(
            When(
                ~Q(definition__slug__in=list(selections)) & _matches_attributes(selections),
                then=F("product_id"),
            )
        )
        count_expression = Count(Case(*whens, default=None, output_field=IntegerField()))
    attribute_counts = {
        row["value_id"]: row["n"]
        for row in ProductAttribute.objects.filter(product__in=in_category.values("pk"))
        .order_by()
        .values("value_id")
        .annotate(n=count_expression)
    }
    if settings.CATALOG_COUNTS_CACHE_SECONDS:
        cache.set(key, (category_rows, attribute_counts), settings.CATALOG_COUNTS_CACHE_SECONDS)
    return category_rows, attribute_counts


def product_listing(*, filters: CatalogFilters, category_slug: str | None = None) -> CatalogPage:
    """The catalog page for `filters` within `category_slug` (and its descendants).

    Raises UnknownCategory when the slug names no category. Facet counts follow the usual
    rule: each facet is counted with every other filter applied but not its own, so picking
    "Red" still shows how many products are "Blue".
    """
    tree = _CategoryTree()
    category = None
    if category_slug:
        category = tree.by_slug.get(category_slug)
        if category is None:
            raise UnknownCategory(category_slug)
    category_ids = tree.subtree_ids(category) if category else None
    notices: list[str] = []

    # Attribute definitions and values (for labels and to recognise unknown filters).
    values = list(
        AttributeValue.objects.filter(definition__is_facet=True)
        .select_related("definition")
        .order_by("definition__position", "definition__name", "position", "label")
    )
    known: dict[str, dict[str, AttributeValue]] = {}
    for value in values:
        known.setdefault(value.definition.slug, {})[value.slug] = value
    selections = {}
    for slug, chosen in filters.attributes.items():
        if slug not in known:
            continue  # Not a facet (utm_source and friends): ignore quietly.
        unknown = [v for v in chosen if v not in known[slug]]
        if unknown:
            name = next(iter(known[slug].values())).definition.name.lower()
            notices.append(f"There is no {name} “{unknown[0]}”, so nothing matches it.")
        selections[slug] = chosen

    plan = search_queries.interpret(filters.q) if filters.q else None  # one query, none when cached
    base = _base_queryset(filters, plan)
    with_attrs = _with_attributes(base, selections)

    # The two counting queries are the expensive part: cached per filter state (see _counts).
    category_rows, attribute_counts = _counts(
        filters=filters, selections=selections, category_ids=category_ids, base=base
    )
    counts: dict[int, int] = {}
    lows: dict[int, Decimal] = {}
    highs: dict[int, Decimal] = {}
    for row in category_rows:
        counts[row["category_id"]] = row["n"]
        lows[row["category_id"]] = row["low"]
        highs[row["category_id"]] = row["high"]

    def rolled_up(node: Category) -> int:
        return sum(counts.get(pk, 0) for pk in tree.subtree_ids(node))

    in_scope = category_ids if category_ids is not None else list(counts)
    total = sum(counts.get(pk, 0) for pk in in_scope)
    scope_lows = [lows[pk] for pk in in_scope if lows.get(pk) is not None]
    scope_highs = [highs[pk] for pk in in_scope if highs.get(pk) is not None]

    path = tree.path_to(category) if category else []
    path_ids = {c.pk for c in path}
    links = []
    for node, depth in tree.walk():
        # Show the roots, and the children of every category on the current path.
        if node.parent_id is None or node.parent_id in path_ids:
            links.append(
                CategoryLink(
                    category=node,
                    count=rolled_up(node),
                    depth=depth,
                    selected=category is not None and node.pk == category.pk,
                    in_path=node.pk in path_ids,
                )
            )

    facets: list[Facet] = []
    for value in values:
        definition = value.definition
        if not facets or facets[-1].slug != definition.slug:
            facets.append(Facet(slug=definition.slug, name=definition.name, values=[]))
        selected = value.slug in selections.get(definition.slug, ())
        count = attribute_counts.get(value.pk, 0)
        if count or selected:
            facets[-1].values.append(
                FacetValue(slug=value.slug, label=value.label, count=count, selected=selected)
            )
    facets = [f for f in facets if f.values]

    # The page itself.
    page_size = settings.CATALOG_PAGE_SIZE
    num_pages = max(1, -(-total // page_size))
    products: list[ProductCard] = []
    if filters.page <= num_pages and total:
        results = with_attrs.filter(category_id__in=category_ids) if category_ids else with_attrs
        offset = (filters.page - 1) * page_size
        ordering = ORDERINGS.get(filters.sort, ORDERINGS["newest"])
        if plan is not None:  # Search results: most relevant, then in stock, then the sort.
            ordering = (*relevance(plan.match), SOLD_OUT_LAST.asc(), *ordering)
        products = [
            ProductCard.from_row(product)
            for product in results.as_cards().order_by(*ordering)[offset : offset + page_size]
        ]
    elif filters.page > num_pages:
        notices.append(
            f"There is no page {filters.page}: these results have {num_pages} "
            f"page{'s' if num_pages != 1 else ''}."
        )

    return CatalogPage(
        filters=filters,
        category=category,
        breadcrumbs=path,
        products=products,
        total=total,
        page=filters.page,
        num_pages=num_pages,
        price_low=min(scope_lows) if scope_lows else None,
        price_high=max(scope_highs) if scope_highs else None,
        categories=links,
        facets=facets,
        notices=notices,
        search=plan,
    )


@dataclass
class ProductDetail:
    product: Product
    breadcrumbs: list[Category]
    variants: list[Variant]
    images: list[ProductImage]
    attributes: list[ProductAttribute]
    availability: Availability
    price_low: Decimal
    price_high: Decimal

    @property
    def primary_image(self) -> ProductImage | None:
        return self.images[0] if self.images else None

    @property
    def default_variant_id(self) -> int | None:
        """The first variant that can be bought, preselected on the page."""
        return next((v.pk for v in self.variants if v.availability.available), None)


def product_detail(*, slug: str) -> ProductDetail:
    """The product page read model. Raises Product.DoesNotExist for unknown or unpublished slugs."""
    product = (
        published_products()
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.order_by("position", "pk")),
            Prefetch("images", queryset=ProductImage.objects.all()),
            Prefetch(
                "attributes",
                queryset=ProductAttribute.objects.select_related("value", "definition").order_by(
                    "definition__position", "value__position"
                ),
            ),
        )
        .get(slug=slug)
    )
    tree = _CategoryTree()
    product.category = tree.by_pk[product.category_id]
    variants = list(product.variants.all())
    prices = [v.price for v in variants] or [Decimal("0")]
    return ProductDetail(
        product=product,
        breadcrumbs=tree.path_to(product.category),
        variants=variants,
        images=list(product.images.all()),
        attributes=list(product.attributes.all()),
        availability=Availability(quantity=sum(max(v.stock, 0) for v in variants)),
        price_low=min(prices),
        price_high=max(prices),
    )

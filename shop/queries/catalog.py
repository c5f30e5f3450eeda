"""Read models for the catalog pages: everything a template touches, in a fixed number of queries.

`product_listing` takes the matching products, every count and the page's order from the
catalog index (shop.queries.catalog_index: built in seven queries once per catalog change, in
each process), with the page's cards: no query, whatever the filters or the catalog's size; a
search adds its own (its matches and their relevance).

Every read model takes the store `state` it shows (shop.moment.values.StoreState, a required
keyword: views pass `request.store`, the live store now or a time-travel moment): which
products are shown and at what prices come from it, never from the rows alone.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    Prefetch,
)

from shop.domain.availability import Availability
from shop.domain.options import VARIANT, Selection, select
from shop.models import (
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
)
from shop.models.search import relevance
from shop.moment.values import StoreState
from shop.queries import catalog_index
from shop.queries import search as search_queries

if TYPE_CHECKING:
    from shop.models.catalog import CardRow

SORTS = [
    ("newest", "Newest"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("name", "Name: A to Z"),
]


# Facets whose values are also variant options with pictures of their own: filtering by one
# shows each card's picture in that value.
PICTURED_OPTIONS = ("colour",)


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

    @cached_property
    def content_key(self) -> tuple:
        """Everything the card shows, as a key: `{% product_cards %}` keeps its HTML under it
        (worked out once per card; the catalog index keeps its cards, see `_indexed_cards`)."""
        image = self.primary_image
        picture = image and (
            image.pk, str(image.image), image.alt, image.width, image.height,
            json.dumps(image.renditions, sort_keys=True),
        )  # fmt: skip
        return (
            self.pk, self.name, self.url, self.category_name, self.min_price, self.max_price,
            self.availability.code, self.single_variant_id, picture,
        )  # fmt: skip

    @classmethod
    def from_index(
        cls,
        index: catalog_index.CatalogIndex,
        source: catalog_index.CardSource,
        pictures_of: dict[str, list[str]] | None = None,
    ) -> "ProductCard":
        """The card of a product as the catalog index holds it (no query); `pictures_of` as
        for `from_row`."""
        images = [index.image(fields) for fields in source.images]
        picture, url = _pictured(images, source.url, pictures_of)
        return cls(
            pk=source.pk,
            name=source.name,
            url=url,
            category_name=source.category_name,
            min_price=source.min_price,
            max_price=source.max_price,
            availability=Availability(quantity=source.stock_total),
            single_variant_id=source.single_variant_id,
            primary_image=picture,
        )

    @classmethod
    def from_row(
        cls,
        product: "CardRow",
        pictures_of: dict[str, list[str]] | None = None,
        *,
        state: StoreState,
    ) -> "ProductCard":
        """The card of an `as_cards(pictures_of)` row, priced as in `state`. With `pictures_of`,
        a picture of one of those values (a red one, when the shopper filters by red) stands in
        for the primary one, and the card links to the product with that value chosen."""
        picture, url = _pictured(product.primary_images, product.get_absolute_url(), pictures_of)
        low, high = product.min_price, product.max_price
        if product.pk in state.effects.price_ranges:
            low, high = state.effects.price_ranges[product.pk]
        return cls(
            pk=product.pk,
            name=product.name,
            url=url,
            category_name=product.category_name,
            min_price=low,
            max_price=high,
            availability=Availability(quantity=product.stock_total),
            single_variant_id=product.first_variant_id if product.variant_count == 1 else None,
            primary_image=picture,
        )


def _pictured(
    images: list[ProductImage], url: str, pictures_of: dict[str, list[str]] | None
) -> tuple[ProductImage | None, str]:
    """A card's picture and address: the first image (the primary one), or with `pictures_of`
    the first picture of one of those values and the product's address with it chosen."""
    wanted = pictures_of or {}
    for image in images if wanted else ():
        if image.options and all(
            image.options.get(option) in values for option, values in wanted.items()
        ):
            return image, f"{url}?{urlencode(image.options)}"
    return next(iter(images), None), url


@dataclass
class CategoryLink:
    category: Category
    count: int
    depth: int
    selected: bool
    in_path: bool
    url: str = ""  # the category's page (reversed once per index, not per render)


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

    def __init__(self, nodes: list[Category] | None = None) -> None:
        self.nodes = list(Category.objects.all()) if nodes is None else nodes
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


def product_listing(
    *, filters: CatalogFilters, category_slug: str | None = None, state: StoreState
) -> CatalogPage:
    """The catalog page for `filters` within `category_slug` (and its descendants), in
    `state`.

    Raises UnknownCategory when the slug names no category. Facet counts follow the usual
    rule: each facet is counted with every other filter applied but not its own, so picking
    "Red" still shows how many products are "Blue".
    """
    index = catalog_index.current(state=state)
    tree = _CategoryTree(index.categories)
    category = None
    if category_slug:
        category = tree.by_slug.get(category_slug)
        if category is None:
            raise UnknownCategory(category_slug)
    category_ids = tree.subtree_ids(category) if category else None
    known, selections, notices = _recognised_selections(index, filters)
    sets = _FilterSets.of(index, filters, known, selections, state)
    with_attrs = sets.all_but(None)
    scope = (
        _union(index.by_category.get(pk, 0) for pk in category_ids)
        if category_ids is not None
        else index.everything
    )
    in_scope = with_attrs & scope
    total = in_scope.bit_count()
    price_low, price_high = index.price_range(in_scope)
    path = tree.path_to(category) if category else []
    products, page_notice = _page_of_cards(index, filters, in_scope, total, sets.ranks, known)
    return CatalogPage(
        filters=filters,
        category=category,
        breadcrumbs=path,
        products=products,
        total=total,
        page=filters.page,
        num_pages=_num_pages(total),
        price_low=price_low,
        price_high=price_high,
        categories=_category_links(index, tree, category, path, with_attrs),
        facets=_facets(index, selections, sets, scope),
        notices=notices + page_notice,
        search=sets.plan,
    )


def _recognised_selections(
    index: catalog_index.CatalogIndex, filters: CatalogFilters
) -> tuple[dict[str, dict[str, AttributeValue]], dict[str, tuple[str, ...]], list[str]]:
    """The facets' values by facet and value slug, the filters' choices among the facets (a
    parameter that names no facet, such as utm_source, is ignored quietly), and a notice for
    each choice of a value the facet does not have."""
    known: dict[str, dict[str, AttributeValue]] = {}
    for value in index.facet_values:
        known.setdefault(value.definition.slug, {})[value.slug] = value
    selections: dict[str, tuple[str, ...]] = {}
    notices: list[str] = []
    for slug, chosen in filters.attributes.items():
        if slug not in known:
            continue
        unknown = [v for v in chosen if v not in known[slug]]
        if unknown:
            name = next(iter(known[slug].values())).definition.name.lower()
            notices.append(f"There is no {name} “{unknown[0]}”, so nothing matches it.")
        selections[slug] = chosen
    return known, selections, notices


@dataclass(frozen=True)
class _FilterSets:
    """The products every filter but the facets' lets through (`base`), and each facet's own
    choice (`chosen`), as the index's bitsets; the search's plan and ranks, if it searched."""

    base: int
    chosen: dict[str, int]
    plan: search_queries.SearchPlan | None
    ranks: dict[int, tuple] | None

    @classmethod
    def of(cls, index, filters, known, selections, state: StoreState) -> "_FilterSets":
        base = index.everything
        plan = search_queries.interpret(filters.q) if filters.q else None  # none when cached
        ranks: dict[int, tuple] | None = None
        if plan is not None:
            ranks = _search_ranks(plan, state)
            base &= index.of_products(ranks)
        if filters.min_price is not None or filters.max_price is not None:
            base &= index.priced(filters.min_price, filters.max_price)
        if filters.in_stock:
            base &= index.in_stock
        chosen = {
            slug: _union(
                index.by_value.get(known[slug][v].pk, 0) for v in picked if v in known[slug]
            )
            for slug, picked in selections.items()
        }
        return cls(base=base, chosen=chosen, plan=plan, ranks=ranks)

    def all_but(self, skipped: str | None) -> int:
        """The products every filter lets through but facet `skipped`'s (None: every one)."""
        found = self.base
        for slug, bits in self.chosen.items():
            if slug != skipped:
                found &= bits
        return found


def _category_links(index, tree, category, path, with_attrs: int) -> list[CategoryLink]:
    """The category menu: the roots and the children of every category on the current path,
    each counted with every filter applied (its whole subtree)."""
    path_ids = {c.pk for c in path}
    links = []
    for node, depth in tree.walk():
        if node.parent_id is None or node.parent_id in path_ids:
            subtree = _union(index.by_category.get(pk, 0) for pk in tree.subtree_ids(node))
            links.append(
                CategoryLink(
                    category=node,
                    count=(with_attrs & subtree).bit_count(),
                    depth=depth,
                    selected=category is not None and node.pk == category.pk,
                    in_path=node.pk in path_ids,
                    url=index.category_urls[node.pk],
                )
            )
    return links


def _facets(index, selections, sets: _FilterSets, scope: int) -> list[Facet]:
    """Each facet's values with their counts in the category's scope (a facet counted with
    every filter but its own); values with no product left out unless chosen."""
    facets: list[Facet] = []
    others = {slug: sets.all_but(slug) & scope for slug in sets.chosen}
    unselected = sets.all_but(None) & scope
    for value in index.facet_values:
        definition = value.definition
        if not facets or facets[-1].slug != definition.slug:
            facets.append(Facet(slug=definition.slug, name=definition.name, values=[]))
        selected = value.slug in selections.get(definition.slug, ())
        among = others.get(definition.slug, unselected)
        count = (among & index.by_value.get(value.pk, 0)).bit_count()
        if count or selected:
            facets[-1].values.append(
                FacetValue(slug=value.slug, label=value.label, count=count, selected=selected)
            )
    return [f for f in facets if f.values]


def _num_pages(total: int) -> int:
    return max(1, -(-total // settings.CATALOG_PAGE_SIZE))


def _page_of_cards(
    index, filters: CatalogFilters, in_scope: int, total: int, ranks, known
) -> tuple[list[ProductCard], list[str]]:
    """The cards of the page asked for, from the index (search results: most relevant, then in
    stock, then the sort), or a notice when there is no such page."""
    page_size = settings.CATALOG_PAGE_SIZE
    num_pages = _num_pages(total)
    if filters.page > num_pages:
        return [], [
            f"There is no page {filters.page}: these results have {num_pages} "
            f"page{'s' if num_pages != 1 else ''}."
        ]
    if not total:
        return [], []
    offset = (filters.page - 1) * page_size
    if ranks is None:
        ids = index.ordered(in_scope, filters.sort, offset, page_size)
    else:
        ids = index.ranked(in_scope, ranks, filters.sort, offset, page_size)
    # Filtering by a value that is also a variant option (colour) shows pictures in it.
    pictures_of = {
        slug: [known[slug][value].label for value in chosen if value in known[slug]]
        for slug, chosen in filters.attributes.items()
        if slug in PICTURED_OPTIONS and slug in known
    }
    return _indexed_cards(index, ids, pictures_of), []


# How many cards an index keeps (a page's cards recur across filter states and pages).
INDEX_CARDS_KEPT = 50_000


def _indexed_cards(
    index: catalog_index.CatalogIndex, ids: list[int], pictures_of: dict[str, list[str]]
) -> list[ProductCard]:
    """The cards of `ids` from the index, each made once per index and way of picturing it
    (the index and its cards do not change; a new catalog state is a new index)."""
    kept = index.cards_made
    if len(kept) > INDEX_CARDS_KEPT:
        kept.clear()
    picturing = tuple((slug, tuple(labels)) for slug, labels in sorted(pictures_of.items()))
    cards = []
    for pk in ids:
        card = kept.get((pk, picturing))
        if card is None:
            card = ProductCard.from_index(index, index.card_source(pk), pictures_of)
            kept[pk, picturing] = card
        cards.append(card)
    return cards


def _search_ranks(plan: search_queries.SearchPlan, state: StoreState) -> dict[int, tuple]:
    """The shown products a search matches, each with its relevance (one query): the values
    of `relevance(plan.match)`'s ordering keys, lowest first."""
    keys = {f"rank_{i}": order.expression for i, order in enumerate(relevance(plan.match))}
    rows = (
        Product.objects.published(state)
        .search(plan.match)
        .annotate(**keys)
        .order_by()
        .values_list("pk", *keys)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def _union(sets) -> int:
    found = 0
    for bits in sets:
        found |= bits
    return found


@dataclass
class ProductDetail:
    """The product page. `selection` is the shopper's choice of options (see shop.domain.options):
    the page shows its variant's price, stock and pictures, or says the combination does not
    exist."""

    product: Product
    breadcrumbs: list[Category]
    variants: list[Variant]
    images: list[ProductImage]
    attributes: list[ProductAttribute]
    availability: Availability
    price_low: Decimal
    price_high: Decimal
    selection: Selection[Variant]

    @property
    def primary_image(self) -> ProductImage | None:
        return self.images[0] if self.images else None

    @property
    def chosen(self) -> Variant | None:
        return self.selection.variant

    @property
    def attribute_rows(self) -> list[tuple[str, str]]:
        """The details as (name, values): "Colour", "White, Red, Green"."""
        rows: dict[str, list[str]] = {}
        for attribute in self.attributes:
            rows.setdefault(attribute.definition.name, []).append(attribute.value.label)
        return [(name, ", ".join(labels)) for name, labels in rows.items()]

    @property
    def gallery(self) -> list[ProductImage]:
        """The pictures of the chosen values: theirs first, then those of every variant.

        Pictures of other values (the navy ones while grey is chosen) are left out, unless
        that would leave none.
        """
        values = dict(self.selection.values)
        own = [i for i in self.images if i.options and i.shows(values)]
        shared = [i for i in self.images if not i.options]
        return own + shared or self.images

    def url_for(self, variant: Variant) -> str:
        """The product page with `variant` chosen (what its options' GET would ask for)."""
        values = chosen_as(self.variants, variant).values
        return f"{self.product.get_absolute_url()}?{urlencode(values)}"


def chosen_as(variants: list[Variant], variant: Variant) -> Selection[Variant]:
    """The product's options (of `variants`) with `variant` chosen: what its page shows then."""
    return select(variants, {VARIANT: str(variant.pk)})


class OptionUnavailable(Exception):
    """The options a shopper sent name no variant that can be chosen; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def product_detail(
    *, slug: str, chosen: Mapping[str, str] | None = None, state: StoreState
) -> ProductDetail:
    """The product page read model with `chosen` options (none: the first variant in stock), in
    `state`: each variant's `price_now` is the price there.

    Raises Product.DoesNotExist for unknown or unshown slugs. Unknown option values fall back
    to the default and are listed in `selection.unknown`.
    """
    product = (
        Product.objects.published(state)
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
    state.effects.apply(variants)
    prices = [v.price_now for v in variants] or [Decimal("0")]
    return ProductDetail(
        product=product,
        breadcrumbs=tree.path_to(product.category),
        variants=variants,
        images=list(product.images.all()),
        attributes=list(product.attributes.all()),
        availability=Availability(quantity=sum(max(v.stock, 0) for v in variants)),
        price_low=min(prices),
        price_high=max(prices),
        selection=select(variants, chosen or {}),
    )


def variant_for_choice(*, product_id: int, chosen: Mapping[str, str], state: StoreState) -> int:
    """The id of the shown product's variant that `chosen` names (one query), in `state`.

    Raises OptionUnavailable when the product is unknown, an option is missing or not one of
    the product's, or no variant has that combination.
    """
    variants = list(
        Variant.objects.filter(
            product__in=Product.objects.published(state).filter(pk=product_id).values("pk")
        ).order_by("position", "pk")
    )
    if not variants:
        raise OptionUnavailable("That product is not for sale.")
    selection = select(variants, chosen)
    problem = selection.missing or selection.unknown
    if problem:
        group = next(g for g in selection.groups if g.name == problem[0])
        raise OptionUnavailable(f"Choose a {group.label.lower()}.")
    if selection.variant is None:
        raise OptionUnavailable(f"{selection.summary} is not available. Choose another option.")
    assert selection.variant.pk is not None
    return selection.variant.pk

"""Rendering homepage blocks, and the cached live homepage.

The live homepage is rendered block by block (each kind's template, shop.models.blocks) and the
result is cached under a token that publishing and catalog changes replace, so a warm homepage
costs two cache reads and no SQL at all (the token's row is read once per CACHE_TOKEN_SECONDS:
see shop.cache_tokens). Visibility windows are applied to the cached blocks on every request, so
a scheduled block appears and disappears on time without any invalidation.

Drafts are never read by `live_homepage` and never written to the cache: the editor and the
shared preview render them afresh on each request (`draft_homepage`).

A cold render costs a fixed number of queries whatever the catalog size: blocks, their chosen
products, their categories, one query per rule-based featured rail, the products shown with their
prices, their primary images, and the top-level categories when a grid shows them. Each kind's
data beyond its own columns comes from its registered loader (`BLOCK_KINDS.loader_for`).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypedDict

from django.conf import settings
from django.db.models import JSONField, OuterRef, Prefetch, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from shop import cache_tokens
from shop.models import (
    Category,
    Layout,
    LayoutBlock,
    LayoutBlockProduct,
    Product,
    ProductImage,
)
from shop.models.blocks import BLOCK_KINDS
from shop.models.catalog import MAX_CATEGORY_DEPTH
from shop.models.layout import block_visible
from shop.moment.values import StoreState
from shop.queries.catalog import ProductCard

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class BlockPrefetches(TypedDict):
        """What `load_blocks` prefetches onto each block."""

        chosen_rows: list[LayoutBlockProduct]
        chosen_categories: list[Category]

    LoadedBlock = WithAnnotations[LayoutBlock, BlockPrefetches]

# Bump the "v1" whenever what is cached changes shape (RenderedBlock's fields): a deploy then
# never unpickles an entry written by the previous code.
CACHE_ENTRY_KEY = "homepage:live:v3"
REGIONS = list(LayoutBlock.Region.choices)
# Cards in a row of a featured rail on a wide screen (static/css/media.css): rails show whole
# rows of it, which also fill rows of 2 on a phone.
RAIL_ROW = 4


# Rendering blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedBlocks:
    """Every block of some layouts (`blocks`, in layout and page order) and, by block id, what
    the ones whose kind has a loader show beyond their own columns (`shows`: a featured rail's
    cards, a category grid's tiles)."""

    blocks: list["LoadedBlock"]
    shows: dict[int, Any]

    def __iter__(self):
        return iter(self.blocks)

    def render(self, block: LayoutBlock, *, editing: bool = False) -> SafeString:
        """`render_block` of one of these blocks, with what it shows."""
        return render_block(block, shows=self.shows.get(block.pk), editing=editing)


def load_blocks(layout_ids: list[int], *, state: StoreState) -> LoadedBlocks:
    """Every block of these layouts with all a block template touches, in a fixed query count,
    showing the products and prices of `state`."""
    blocks = list(
        LayoutBlock.objects.filter(layout_id__in=layout_ids)
        .prefetch_related(
            Prefetch(
                "chosen",
                queryset=LayoutBlockProduct.objects.select_related("product").order_by(
                    "position", "pk"
                ),
                to_attr="chosen_rows",
            ),
            Prefetch("categories",
                     queryset=_with_tile_images(Category.objects.order_by("position", "name")),
                     to_attr="chosen_categories"),
        )
        .order_by("layout_id", "order", "pk")
    )  # fmt: skip
    shows: dict[int, Any] = {}
    for loader in BLOCK_KINDS.loaders():
        shows.update(loader(blocks, state))
    return LoadedBlocks(blocks=blocks, shows=shows)


def _in_subtree(category_path: str, category) -> Q:
    """Rows whose `category_path` (e.g. "product__category") is `category` (an id or an
    OuterRef) or one of its descendants, down to MAX_CATEGORY_DEPTH levels."""
    in_subtree = Q()
    for depth in range(MAX_CATEGORY_DEPTH):
        in_subtree |= Q(**{category_path + "__parent" * depth + "_id": category})
    return in_subtree


def _rule_product_ids(block: LayoutBlock, state: StoreState, *, extra: int = 0) -> list[int]:
    """The newest shown, in-stock products matching a featured rail's rule (`extra` more
    than the rail shows, to stand in for those an earlier rail already shows)."""
    products = Product.objects.published(state).in_stock()
    source = LayoutBlock.ProductSource
    if block.product_source == source.CATEGORY and block.rule_category_id:
        products = products.filter(_in_subtree("category", block.rule_category_id))
    elif block.product_source == source.ATTRIBUTE:
        if not block.rule_attribute_value_id:
            return []
        products = products.filter(attributes__value_id=block.rule_attribute_value_id)
    limit = block.product_count + extra
    return list(products.order_by("-created", "-pk").values_list("pk", flat=True)[:limit])


def _in_page_order(blocks: list["LoadedBlock"]) -> list["LoadedBlock"]:
    """Blocks as a page shows them: by layout, then region (top, main, bottom), then order."""
    region_index = {slug: i for i, (slug, _) in enumerate(REGIONS)}
    return sorted(blocks, key=lambda b: (b.layout_id, region_index.get(b.region, 1), b.order, b.pk))


def _full_rows(cards: list[ProductCard]) -> list[ProductCard]:
    """As many cards as fill whole rows of RAIL_ROW (all of them when there are fewer)."""
    if len(cards) < RAIL_ROW:
        return cards
    return cards[: len(cards) // RAIL_ROW * RAIL_ROW]


@BLOCK_KINDS.loader_for("featured-products")
def _featured_products(blocks: list["LoadedBlock"], state: StoreState) -> dict[int, list]:
    """What each featured-products block shows: {block id: its ProductCards}.

    A product shows in one rail of a layout at most: the first one down the page (hidden rails
    claim none); rule-based rails fetch enough extra products to make up for those. Rails show
    whole rows of RAIL_ROW cards when they have at least one row.
    """
    rails = [b for b in _in_page_order(blocks) if b.kind == LayoutBlock.Kind.FEATURED_PRODUCTS]
    wanted: dict[int, list[int]] = {}
    by_rule: dict[tuple, list[int]] = {}  # The same rule in the live layout and a draft: once.
    claimed: dict[int, int] = {}  # per layout: how many products its earlier rails may claim
    for block in rails:
        if block.product_source == LayoutBlock.ProductSource.CHOSEN:
            ids = [row.product_id for row in block.chosen_rows]
        else:
            extra = claimed.get(block.layout_id, 0)
            rule = (
                block.product_source,
                block.rule_category_id,
                block.rule_attribute_value_id,
                block.product_count + extra,
            )
            if rule not in by_rule:
                by_rule[rule] = _rule_product_ids(block, state, extra=extra)
            ids = by_rule[rule]
        wanted[block.pk] = ids
        if block.active:
            claimed[block.layout_id] = claimed.get(block.layout_id, 0) + block.product_count
    all_ids = {pk for ids in wanted.values() for pk in ids}
    products = {}
    if all_ids:
        products = {
            p.pk: ProductCard.from_row(p, state=state)
            for p in Product.objects.published(state).filter(pk__in=all_ids).as_cards()
        }
    shown: dict[int, set[int]] = {}
    featured: dict[int, list] = {}
    for block in rails:
        seen = shown.setdefault(block.layout_id, set())
        # Unpublished chosen products simply drop out of the rail, and so do those shown above.
        cards = [products[pk] for pk in wanted[block.pk] if pk in products and pk not in seen]
        featured[block.pk] = _full_rows(cards[: block.product_count])
        if block.active:
            seen.update(card.pk for card in featured[block.pk])
    return featured


def _with_tile_images(categories):
    """Annotate each category with the primary image of its newest published product (in its
    subtree): `tile_image`, `tile_image_alt`, `tile_image_width`, `tile_image_height` and
    `tile_image_renditions`, all in the categories' own query."""
    images = ProductImage.objects.filter(
        _in_subtree("product__category", OuterRef("pk")),
        is_primary=True,
        product__status=Product.Status.PUBLISHED,
        product__published_at__lte=timezone.now(),
    ).order_by("-product__created", "-pk")

    def first(field: str, output_field=None):
        return Subquery(images.values(field)[:1], output_field=output_field)

    return categories.annotate(
        tile_image=first("image"),
        tile_image_alt=first("alt"),
        tile_image_width=first("width"),
        tile_image_height=first("height"),
        tile_image_renditions=first("renditions", output_field=JSONField()),
    )


def _tile_image(category: Category) -> ProductImage | None:
    name = getattr(category, "tile_image", None)
    if not name:
        return None
    return ProductImage(
        image=name,
        alt=category.tile_image_alt,  # type: ignore[attr-defined]
        width=category.tile_image_width,  # type: ignore[attr-defined]
        height=category.tile_image_height,  # type: ignore[attr-defined]
        renditions=category.tile_image_renditions or {},  # type: ignore[attr-defined]
    )


@BLOCK_KINDS.loader_for("grid-categories")
def _grid_categories(blocks: list["LoadedBlock"], state: StoreState) -> dict[int, list]:
    """What each category grid shows: {block id: its CategoryTiles}, of the chosen categories,
    or the top level when none are, each with a picture from its newest product (or None)."""
    grids = [b for b in blocks if b.kind == LayoutBlock.Kind.CATEGORY_GRID]
    top_level: list[Category] | None = None
    tiles: dict[int, list] = {}
    for block in grids:
        categories = block.chosen_categories
        if not categories:
            if top_level is None:
                top_level = list(
                    _with_tile_images(Category.objects.filter(parent=None)).order_by(
                        "position", "name"
                    )
                )
            categories = top_level
        tiles[block.pk] = [CategoryTile(c, _tile_image(c)) for c in categories]
    return tiles


@dataclass(frozen=True)
class CategoryTile:
    """A category of a grid, with the picture its tile shows (None: a plain tile)."""

    category: Category
    picture: ProductImage | None


def render_block(block: LayoutBlock, *, shows: Any = None, editing: bool = False) -> SafeString:
    """The block's HTML from its kind's template, with `shows`, what its loader found for it
    (see `LoadedBlocks.render`).

    With `editing`, empty blocks render a placeholder that tells the editor why nothing shows.
    No request is involved, so the result is the same for every visitor and can be cached.
    """
    context = {"block": block, "shows": shows, "editing": editing}
    html = render_to_string(BLOCK_KINDS[block.kind].template, context)
    # Our own autoescaped templates; marketer HTML inside went through the sanitiser filters.
    return mark_safe(html.strip())


# The live homepage (cached) --------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedBlock:
    """A live block as cached: its HTML and what decides whether it shows at a given moment."""

    key: str
    kind: str
    region: str
    starts_at: datetime | None
    ends_at: datetime | None
    html: SafeString  # From render_block; pickled as SafeString, so still safe from the cache.

    def visible_at(self, moment: datetime) -> bool:
        return block_visible(True, self.starts_at, self.ends_at, moment)


@dataclass
class Region:
    slug: str
    label: str
    blocks: list = field(default_factory=list)


@dataclass
class Homepage:
    """What a visitor sees: the visible blocks of a layout, grouped by region in order."""

    regions: list[Region]
    # When a scheduled block next appears or goes (None: nothing is scheduled): a page showing
    # this homepage is good until then.
    next_change: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return not any(region.blocks for region in self.regions)


def _rendered(block: LayoutBlock, loaded: LoadedBlocks) -> RenderedBlock:
    return RenderedBlock(
        key=str(block.key),
        kind=block.kind,
        region=block.region,
        starts_at=block.starts_at,
        ends_at=block.ends_at,
        html=loaded.render(block),
    )


def _group(blocks) -> Homepage:
    regions = [Region(slug=slug, label=label) for slug, label in REGIONS]
    by_slug = {region.slug: region for region in regions}
    for block in blocks:
        by_slug.get(block.region, by_slug[LayoutBlock.Region.MAIN]).blocks.append(block)
    return Homepage(regions=regions)


def _render_live(state: StoreState) -> tuple[RenderedBlock, ...]:
    """The blocks of the homepage in force in `state`: a release's, else the live layout."""
    layout_id = state.effects.layout_id
    if layout_id is None:
        live = Layout.objects.live().only("pk").first()
        if live is None:
            return ()
        layout_id = live.pk
    loaded = load_blocks([layout_id], state=state)
    return tuple(_rendered(b, loaded) for b in loaded if b.active)


def live_homepage(*, state: StoreState) -> Homepage:
    """The homepage as visitors see it in `state` (its moment and releases in force): the
    layout of the release in force that has one, else the live layout.

    The live store's is served from the cache when warm (no SQL): keyed on the homepage's
    token, the releases' token and the releases in force, so it is another entry from the
    second a release starts or ends. Rendered and cached for HOMEPAGE_CACHE_SECONDS when cold;
    always rendered afresh when that setting is 0, and for a time-travel state (never cached).
    `next_change` is the first moment a scheduled block or a release starts or ends.
    """
    seconds = settings.HOMEPAGE_CACHE_SECONDS
    if seconds > 0 and not state.time_travel:
        blocks = cache_tokens.cached(
            CACHE_ENTRY_KEY,
            tokens=[cache_tokens.LIVE_HOMEPAGE, cache_tokens.RELEASES],
            parts=(state.key,),
            compute=lambda: _render_live(state),
            seconds=seconds,
        )
    else:
        blocks = _render_live(state)
    moment = state.at
    homepage = _group([b for b in blocks if b.visible_at(moment)])
    changes = [t for b in blocks for t in (b.starts_at, b.ends_at) if t is not None and t > moment]
    if state.until is not None:
        changes.append(state.until)
    homepage.next_change = min(changes, default=None)
    return homepage


def draft_homepage(*, draft: Layout, state: StoreState) -> Homepage:
    """The homepage a draft would make live, as visitors would see it in `state` (never
    cached)."""
    loaded = load_blocks([draft.pk], state=state)
    return _group([_rendered(b, loaded) for b in loaded if b.visible_at(state.at)])

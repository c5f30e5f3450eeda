"""Read models for the homepage: the cached live layout, a staff user's editor, shared previews.

The live homepage is rendered block by block (one template per kind in templates/blocks/) and the
result is cached under a token that publishing and catalog changes replace, so a warm homepage
costs two cache reads and no SQL at all (the token's row is read once per CACHE_TOKEN_SECONDS:
see shop.cache_tokens). Visibility windows are applied to the cached blocks on
every request, so a scheduled block appears and disappears on time without any invalidation.

Drafts are never read by `live_homepage` and never written to the cache: the editor and the
shared preview render them afresh on each request.

A cold render costs a fixed number of queries whatever the catalog size: blocks, their chosen
products, their categories, one query per rule-based featured rail, the products shown with their
prices, their primary images, and the top-level categories when a grid shows them.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Count, JSONField, OuterRef, Prefetch, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from shop import cache_tokens
from shop.models import (
    AttributeValue,
    Category,
    Layout,
    LayoutBlock,
    LayoutBlockProduct,
    Product,
    ProductImage,
)
from shop.models.catalog import MAX_CATEGORY_DEPTH
from shop.models.layout import KIND_FIELDS, block_visible
from shop.queries.catalog import ProductCard

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class BlockPrefetches(TypedDict):
        """What `_load_blocks` prefetches onto each block."""

        chosen_rows: list[LayoutBlockProduct]
        chosen_categories: list[Category]

    LoadedBlock = WithAnnotations[LayoutBlock, BlockPrefetches]

# Bump the "v1" whenever what is cached changes shape (RenderedBlock's fields): a deploy then
# never unpickles an entry written by the previous code.
CACHE_ENTRY_KEY = "homepage:live:v1:{token}"
PREVIEW_SALT = "shop.homepage.preview"
REGIONS = list(LayoutBlock.Region.choices)
# Cards in a row of a featured rail on a wide screen (static/css/media.css): rails show whole
# rows of it, which also fill rows of 2 on a phone.
RAIL_ROW = 4


# Rendering blocks ------------------------------------------------------------------------------


def _load_blocks(layout_ids: list[int]) -> list["LoadedBlock"]:
    """Every block of these layouts with all a block template touches, in a fixed query count."""
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
    _attach_featured_products(blocks)
    _attach_grid_categories(blocks)
    return blocks


def _in_subtree(category_path: str, category) -> Q:
    """Rows whose `category_path` (e.g. "product__category") is `category` (an id or an
    OuterRef) or one of its descendants, down to MAX_CATEGORY_DEPTH levels."""
    in_subtree = Q()
    for depth in range(MAX_CATEGORY_DEPTH):
        in_subtree |= Q(**{category_path + "__parent" * depth + "_id": category})
    return in_subtree


def _rule_product_ids(block: LayoutBlock, *, extra: int = 0) -> list[int]:
    """The newest published, in-stock products matching a featured rail's rule (`extra` more
    than the rail shows, to stand in for those an earlier rail already shows)."""
    products = Product.objects.published().in_stock()
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


def _attach_featured_products(blocks: list["LoadedBlock"]) -> None:
    """Set `block.featured` (a list of ProductCard) on featured-products blocks.

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
                by_rule[rule] = _rule_product_ids(block, extra=extra)
            ids = by_rule[rule]
        wanted[block.pk] = ids
        if block.active:
            claimed[block.layout_id] = claimed.get(block.layout_id, 0) + block.product_count
    all_ids = {pk for ids in wanted.values() for pk in ids}
    products = {}
    if all_ids:
        products = {
            p.pk: ProductCard.from_row(p)
            for p in Product.objects.published().filter(pk__in=all_ids).as_cards()
        }
    shown: dict[int, set[int]] = {}
    for block in rails:
        seen = shown.setdefault(block.layout_id, set())
        # Unpublished chosen products simply drop out of the rail, and so do those shown above.
        cards = [products[pk] for pk in wanted[block.pk] if pk in products and pk not in seen]
        block.featured = _full_rows(cards[: block.product_count])
        if block.active:
            seen.update(card.pk for card in block.featured)


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


def _attach_grid_categories(blocks: list["LoadedBlock"]) -> None:
    """Set `block.grid_categories`: the chosen categories, or the top level when none are; each
    with `picture`, a ProductImage from its newest product (or None)."""
    grids = [b for b in blocks if b.kind == LayoutBlock.Kind.CATEGORY_GRID]
    top_level: list[Category] | None = None
    for block in grids:
        if block.chosen_categories:
            block.grid_categories = block.chosen_categories
        else:
            if top_level is None:
                top_level = list(
                    _with_tile_images(Category.objects.filter(parent=None)).order_by(
                        "position", "name"
                    )
                )
            block.grid_categories = top_level
        for category in block.grid_categories:
            category.picture = _tile_image(category)  # type: ignore[attr-defined]


def render_block(block: LayoutBlock, *, editing: bool = False) -> SafeString:
    """The block's HTML from templates/blocks/<kind>.html (the block must come from _load_blocks).

    With `editing`, empty blocks render a placeholder that tells the editor why nothing shows.
    No request is involved, so the result is the same for every visitor and can be cached.
    """
    html = render_to_string(f"blocks/{block.kind}.html", {"block": block, "editing": editing})
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


def _rendered(block: LayoutBlock) -> RenderedBlock:
    return RenderedBlock(
        key=str(block.key),
        kind=block.kind,
        region=block.region,
        starts_at=block.starts_at,
        ends_at=block.ends_at,
        html=render_block(block),
    )


def _group(blocks) -> Homepage:
    regions = [Region(slug=slug, label=label) for slug, label in REGIONS]
    by_slug = {region.slug: region for region in regions}
    for block in blocks:
        by_slug.get(block.region, by_slug[LayoutBlock.Region.MAIN]).blocks.append(block)
    return Homepage(regions=regions)


def _render_live() -> tuple[RenderedBlock, ...]:
    live = Layout.objects.live().only("pk").first()
    if live is None:
        return ()
    return tuple(_rendered(b) for b in _load_blocks([live.pk]) if b.active)


def live_homepage(*, now: datetime | None = None) -> Homepage:
    """The published homepage as visitors see it at `now` (default: the current time).

    Served from the cache when warm (no SQL); rendered and cached for HOMEPAGE_CACHE_SECONDS when
    cold; always rendered afresh when that setting is 0.
    """
    seconds = settings.HOMEPAGE_CACHE_SECONDS
    if seconds > 0:
        key = CACHE_ENTRY_KEY.format(token=cache_tokens.current(cache_tokens.LIVE_HOMEPAGE))
        blocks = cache.get(key)
        if blocks is None:
            blocks = _render_live()
            cache.set(key, blocks, timeout=seconds)
    else:
        blocks = _render_live()
    moment = now or timezone.now()
    homepage = _group([b for b in blocks if b.visible_at(moment)])
    changes = [t for b in blocks for t in (b.starts_at, b.ends_at) if t is not None and t > moment]
    homepage.next_change = min(changes, default=None)
    return homepage


# The editor: a staff user's draft (or the live layout before their first change) ---------------


class BlockStatus:
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    MOVED = "moved"
    NEW = "new"
    REMOVED = "removed"

    LABELS = {
        UNCHANGED: "Unchanged",
        CHANGED: "Changed",
        MOVED: "Moved",
        NEW: "New",
        REMOVED: "Removed",
    }


@dataclass
class BlockChoices:
    """Choices for the block forms, loaded once per page rather than once per form."""

    categories: list[tuple[str, str]]
    attribute_values: list[tuple[str, str]]


@dataclass
class EditorBlock:
    """A block as its editor sees it: preview HTML, where it sits, how it differs from live."""

    block: LayoutBlock
    html: str
    status: str
    position: int = 0
    region_size: int = 0
    live_html: str = ""
    visibility: str = "Shown"
    # Set by the view: the block's forms, bound when they were just submitted with errors.
    form: object = None
    image_form: object = None

    @property
    def key(self) -> str:
        return str(self.block.key)

    @property
    def kind(self) -> str:
        return self.block.kind

    @property
    def kind_label(self) -> str:
        return self.block.get_kind_display()

    @property
    def label(self) -> str:
        heading = self.block.heading.strip()
        return f"{self.kind_label}: {heading}" if heading else self.kind_label

    @property
    def status_label(self) -> str:
        return BlockStatus.LABELS[self.status]

    @property
    def is_first(self) -> bool:
        return self.position <= 1

    @property
    def is_last(self) -> bool:
        return self.position >= self.region_size


@dataclass
class EditorRegion:
    slug: str
    label: str
    blocks: list[EditorBlock] = field(default_factory=list)


@dataclass
class HomepageEditor:
    """The editing page: the draft (or live) blocks by region, compared with the live layout."""

    live: Layout
    draft: Layout | None
    regions: list[EditorRegion]
    removed: list[EditorBlock]
    choices: BlockChoices
    now: datetime

    @property
    def blocks(self) -> list[EditorBlock]:
        return [item for region in self.regions for item in region.blocks]

    @property
    def changes(self) -> int:
        changed = [i for i in self.blocks if i.status != BlockStatus.UNCHANGED]
        return len(changed) + len(self.removed)

    @property
    def conflict(self) -> bool:
        """True when someone published after this draft began: publishing it would be refused."""
        return self.draft is not None and self.draft.base_version != self.live.version

    def item(self, key: str) -> EditorBlock:
        """The block with this key; raises KeyError when the layout has none."""
        for item in self.blocks:
            if item.key == str(key):
                return item
        raise KeyError(key)


def visibility(block: LayoutBlock, moment: datetime) -> str:
    """Whether visitors would see the block at `moment`, and if not, why not."""
    if not block.active:
        return "Hidden"
    if block.starts_at and moment < block.starts_at:
        return f"Scheduled: shows from {timezone.localtime(block.starts_at):%d %b %Y %H:%M}"
    if block.ends_at and moment >= block.ends_at:
        return f"Ended {timezone.localtime(block.ends_at):%d %b %Y %H:%M}"
    return "Shown"


def block_content(block: "LoadedBlock") -> tuple:
    """What a visitor would see of a block, for comparing a draft block with its live original."""
    values: list[object] = [block.active, block.starts_at, block.ends_at]
    for name in KIND_FIELDS[block.kind]:
        if name == "products":
            values.append(tuple(row.product_id for row in block.chosen_rows))
        elif name == "categories":
            values.append(tuple(sorted(c.pk for c in block.chosen_categories)))
        elif name in {"rule_category", "rule_attribute_value"}:
            values.append(getattr(block, f"{name}_id"))
        elif name == "image":
            values.append(block.image.name or "")
        else:
            values.append(getattr(block, name))
    return tuple(values)


def _positions(blocks: Sequence[LayoutBlock]) -> dict[str, tuple[str, int]]:
    """{key: (region, 1-based position in the region)} for a layout's blocks in order."""
    counts: dict[str, int] = {}
    result = {}
    for block in blocks:
        counts[block.region] = counts.get(block.region, 0) + 1
        result[str(block.key)] = (block.region, counts[block.region])
    return result


def block_choices() -> BlockChoices:
    """Categories (as "Parent / Child" paths) and attribute values for the block forms."""
    categories = list(Category.objects.all())
    by_pk = {c.pk: c for c in categories}

    def path(category: Category) -> str:
        names: list[str] = []
        node: Category | None = category
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.insert(0, node.name)
            node = by_pk.get(node.parent_id) if node.parent_id else None
        return " / ".join(names)

    category_choices = sorted(((str(c.pk), path(c)) for c in categories), key=lambda c: c[1])
    values = AttributeValue.objects.select_related("definition").order_by(
        "definition__position", "definition__name", "position", "label"
    )
    return BlockChoices(
        categories=category_choices,
        attribute_values=[(str(v.pk), f"{v.definition.name}: {v.label}") for v in values],
    )


def draft_of(*, user) -> Layout | None:
    """The user's homepage draft, or None before their first change."""
    return Layout.objects.drafts().filter(owner_id=user.pk).first()


def block_kind(*, user, key) -> str | None:
    """The kind of the block with this key in the user's draft (or, before they have one, live).

    None when neither has it: a stale page, or another user's block.
    """
    draft = draft_of(user=user)
    layouts = Layout.objects.filter(pk=draft.pk) if draft else Layout.objects.live()
    return (
        LayoutBlock.objects.filter(layout__in=layouts, key=key)
        .values_list("kind", flat=True)
        .first()
    )


def homepage_editor(*, user, now: datetime | None = None) -> HomepageEditor:
    """The editor for `user`: their draft if they have one, else the live layout (not yet copied).

    Every block is included (hidden and scheduled ones too), with its status against live.
    """
    # Before anything was ever published there is no live row yet: an empty version 0 stands in.
    moment = now or timezone.now()
    live = Layout.objects.live().first() or Layout(kind=Layout.Kind.LIVE, version=0)
    draft = draft_of(user=user)
    layout_ids = [pk for pk in (live.pk, draft.pk if draft else None) if pk]
    loaded = _load_blocks(layout_ids)
    live_blocks = [b for b in loaded if b.layout_id == live.pk]
    shown = [b for b in loaded if b.layout_id == draft.pk] if draft else live_blocks
    live_by_key = {str(b.key): b for b in live_blocks}
    live_positions = _positions(live_blocks)
    shown_positions = _positions(shown)

    regions = [EditorRegion(slug=slug, label=label) for slug, label in REGIONS]
    by_slug = {region.slug: region for region in regions}
    for block in shown:
        key = str(block.key)
        original = live_by_key.get(key) if draft else block
        status, live_html = BlockStatus.UNCHANGED, ""
        if original is None:
            status = BlockStatus.NEW
        elif block_content(block) != block_content(original):
            status, live_html = BlockStatus.CHANGED, render_block(original, editing=True)
        elif live_positions[key] != shown_positions[key]:
            status = BlockStatus.MOVED
        item = EditorBlock(
            block=block,
            html=render_block(block, editing=True),
            status=status,
            live_html=live_html,
            visibility=visibility(block, moment),
        )
        by_slug.get(block.region, by_slug[LayoutBlock.Region.MAIN]).blocks.append(item)
    for region in regions:
        for position, item in enumerate(region.blocks, start=1):
            item.position, item.region_size = position, len(region.blocks)

    shown_keys = {str(b.key) for b in shown}
    removed = [
        EditorBlock(block=b, html=render_block(b, editing=True), status=BlockStatus.REMOVED)
        for b in live_blocks
        if str(b.key) not in shown_keys
    ]
    return HomepageEditor(
        live=live,
        draft=draft,
        regions=regions,
        removed=removed,
        choices=block_choices(),
        now=moment,
    )


# Shared previews --------------------------------------------------------------------------------


class PreviewLinkInvalid(LookupError):
    """The preview token is tampered with, expired, or its draft is gone (published/discarded)."""


@dataclass(frozen=True)
class PreviewLink:
    token: str
    expires_at: datetime


def preview_link(*, draft: Layout, now: datetime | None = None) -> PreviewLink:
    """A signed token naming this draft, accepted by draft_for_preview until it expires."""
    moment = now or timezone.now()
    # Whole seconds: that is what the token carries, so both ends agree on the expiry.
    expires_at = (moment + timedelta(seconds=settings.HOMEPAGE_PREVIEW_LINK_SECONDS)).replace(
        microsecond=0
    )
    token = signing.dumps(
        {"draft": draft.pk, "exp": int(expires_at.timestamp())}, salt=PREVIEW_SALT, compress=True
    )
    return PreviewLink(token=token, expires_at=expires_at)


def draft_for_preview(*, token: str, now: datetime | None = None) -> tuple[Layout, datetime]:
    """The draft a preview token names, and when the link expires.

    Raises PreviewLinkInvalid when the token was tampered with, has expired, or its draft is gone
    (published or discarded).
    """
    try:
        data = signing.loads(token, salt=PREVIEW_SALT)
        draft_pk, expires = int(data["draft"]), int(data["exp"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PreviewLinkInvalid(token) from None
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if (now or timezone.now()) >= expires_at:
        raise PreviewLinkInvalid(token)
    draft = Layout.objects.drafts().select_related("owner").filter(pk=draft_pk).first()
    if draft is None:
        raise PreviewLinkInvalid(token)
    return draft, expires_at


def draft_homepage(*, draft: Layout, now: datetime | None = None) -> Homepage:
    """The homepage a draft would make live, as visitors would see it at `now` (never cached)."""
    moment = now or timezone.now()
    return _group([_rendered(b) for b in _load_blocks([draft.pk]) if b.visible_at(moment)])


# Revisions --------------------------------------------------------------------------------------


def revision_history(*, limit: int = 50) -> list[Layout]:
    """The newest published revisions first, each with `block_count` and its publisher."""
    return list(
        Layout.objects.revisions()
        .select_related("published_by")
        .annotate(block_count=Count("blocks"))
        .order_by("-version")[:limit]
    )

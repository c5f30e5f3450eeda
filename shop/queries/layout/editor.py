"""The homepage editor's read model: a staff user's draft (or the live layout before their
first change), block by block, with each block's status against the live layout."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from shop.models import AttributeValue, Category, Layout, LayoutBlock
from shop.models.blocks import BLOCK_KINDS
from shop.moment.resolve import resolve
from shop.queries.layout.rendering import REGIONS, load_blocks

if TYPE_CHECKING:
    from shop.queries.layout.rendering import LoadedBlock


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
    for name in BLOCK_KINDS[block.kind].fields:
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
    loaded = load_blocks(layout_ids, state=resolve(at=moment))  # the live store, as shoppers see it
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
            status, live_html = BlockStatus.CHANGED, loaded.render(original, editing=True)
        elif live_positions[key] != shown_positions[key]:
            status = BlockStatus.MOVED
        item = EditorBlock(
            block=block,
            html=loaded.render(block, editing=True),
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
        EditorBlock(block=b, html=loaded.render(b, editing=True), status=BlockStatus.REMOVED)
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

"""Writes to the homepage layout: per-user drafts, block edits, publish, revisions.

A staff user's first change copies the live layout into their own draft (copy-on-write) and
records the live version it was copied from. Every later change edits that draft only. Publishing
locks the live layout and the draft, refuses when the live version moved on since the copy was
taken (somebody else published: no silent overwrite), replaces the live blocks with the draft's,
records a revision, deletes the draft and, once committed, invalidates the cached homepage.

Functions take keyword arguments only, each runs in one transaction, and they raise the
LayoutError subclasses below for the outcomes a view must explain to the user.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop import cache_invalidation, locks
from shop.models import Layout, LayoutBlock, LayoutBlockProduct, Product
from shop.models.blocks import BLOCK_KINDS

REGION_ORDER = [slug for slug, _ in LayoutBlock.Region.choices]
# Everything a block copy carries besides its layout (and, separately, its products/categories).
COPIED_FIELDS = [
    f.attname for f in LayoutBlock._meta.concrete_fields if f.name not in {"id", "layout"}
]


class LayoutError(Exception):
    """A layout change that cannot be made; `message` says why, for the person who tried."""

    message = "That change could not be made."

    def __str__(self) -> str:
        return self.message


class BlockNotFound(LayoutError):
    message = "That block is not on your homepage draft any more (it may have been removed)."


class NoDraft(LayoutError):
    message = "You have no homepage draft: make a change first."


class UnknownRevision(LayoutError):
    message = "There is no such revision of the homepage."


class LiveLayoutChanged(LayoutError):
    """Somebody published after this draft was copied from the live layout."""

    def __init__(
        self,
        *,
        base_version: int | None,
        live_version: int,
        published_by: str,
        published_at: datetime | None,
    ):
        self.base_version = base_version
        self.live_version = live_version
        self.published_by = published_by
        self.published_at = published_at
        when = f" on {timezone.localtime(published_at):%d %b %Y at %H:%M}" if published_at else ""
        self.message = (
            f"Not published: {published_by} published the homepage{when} (version "
            f"{live_version}) after you started this draft from version {base_version}. "
            "Your draft is kept. Compare it with the live homepage, then discard it or keep "
            "it over the new live version before publishing."
        )
        super().__init__(self.message)


# Copies ----------------------------------------------------------------------------------------


def copy_blocks(*, source: Layout, target: Layout) -> None:
    """Copy every block of `source` (keys, products and categories too) into `target` (which
    should have none: call inside the transaction that holds both layouts)."""
    blocks = list(source.blocks.prefetch_related("chosen", "categories").order_by("order", "pk"))
    copies = LayoutBlock.objects.bulk_create(
        [
            LayoutBlock(layout=target, **{name: getattr(b, name) for name in COPIED_FIELDS})
            for b in blocks
        ]
    )
    products, categories = [], []
    category_link = LayoutBlock.categories.through
    for original, copy in zip(blocks, copies, strict=True):
        products += [
            LayoutBlockProduct(block=copy, product_id=row.product_id, position=row.position)
            for row in original.chosen.all()
        ]
        categories += [
            category_link(layoutblock_id=copy.pk, category_id=c.pk)
            for c in original.categories.all()
        ]
    LayoutBlockProduct.objects.bulk_create(products)
    category_link.objects.bulk_create(categories)


def _renumber(blocks_by_region: Mapping[str, list[LayoutBlock]]) -> None:
    """Store the order the lists give: regions in REGION_ORDER, blocks in list order."""
    changed = []
    order = 0
    for region in REGION_ORDER:
        for block in blocks_by_region.get(region, []):
            order += 1
            if block.order != order or block.region != region:
                block.order, block.region = order, region
                changed.append(block)
    LayoutBlock.objects.bulk_update(changed, ["order", "region"])


def _by_region(draft: Layout) -> dict[str, list[LayoutBlock]]:
    regions: dict[str, list[LayoutBlock]] = {region: [] for region in REGION_ORDER}
    for block in draft.blocks.order_by("order", "pk"):
        regions.setdefault(block.region, []).append(block)
    return regions


def _ensure_live_layout() -> None:
    """Create the (empty, version 0) live layout row the first time anything needs to lock it."""
    if not Layout.objects.live().exists():
        try:
            with transaction.atomic():
                Layout.objects.create(kind=Layout.Kind.LIVE)
        except IntegrityError:
            pass  # Created concurrently: the unique constraint kept it to one row.


# Drafts ----------------------------------------------------------------------------------------


def start_draft(*, user) -> Layout:
    """Return the user's draft, first copying the live layout into a new one if they have none.

    The live row is locked while copying, so the copy and its base version always agree and two
    first changes at once (two tabs) make one draft.
    """
    _ensure_live_layout()
    with transaction.atomic():
        live = locks.lock_live_layout()
        draft = Layout.objects.drafts().filter(owner_id=user.pk).first()
        if draft is None:
            draft = Layout.objects.create(
                kind=Layout.Kind.DRAFT, owner=user, base_version=live.version
            )
            copy_blocks(source=live, target=draft)
        return draft


def _locked_draft(user) -> Layout:
    """The user's draft, locked for this transaction; copied from live on their first change."""
    draft = locks.lock_draft(owner_id=user.pk)
    if draft is None:
        start_draft(user=user)
        draft = locks.lock_draft(owner_id=user.pk)
        assert draft is not None, "start_draft made the draft inside this transaction"
    draft.save(update_fields=["updated"])
    return draft


def _draft_block(draft: Layout, key) -> LayoutBlock:
    block = draft.blocks.filter(key=key).first()
    if block is None:
        raise BlockNotFound()
    return block


def update_block(*, user, key, fields: Mapping[str, Any]) -> LayoutBlock:
    """Set the given fields of a block in the user's draft and return the block.

    `fields` holds model attribute names: region, starts_at, ends_at and the fields of the
    block's kind (`BLOCK_KINDS[kind].settable()`), with `products` as a list of Products in
    display order, `categories` as a list of category ids and foreign keys as `<name>_id`.
    Raises BlockNotFound, and ValueError for a field the block's kind does not have (a
    programming error, not a user's).
    """
    with transaction.atomic():
        draft = _locked_draft(user)
        block = _draft_block(draft, key)
        unknown = set(fields) - BLOCK_KINDS[block.kind].settable()
        if unknown:
            raise ValueError(f"{block.kind} blocks have no {', '.join(sorted(unknown))}.")
        values = dict(fields)
        products: list[Product] | None = values.pop("products", None)
        categories: Iterable[int] | None = values.pop("categories", None)
        moved_region = "region" in values and values["region"] != block.region
        for name, value in values.items():
            setattr(block, name, value)
        if moved_region:
            block.order = 10_000  # The end of its new region, until renumbered below.
        block.save()
        if products is not None:
            block.chosen.all().delete()
            LayoutBlockProduct.objects.bulk_create(
                LayoutBlockProduct(block=block, product=product, position=position)
                for position, product in enumerate(products)
            )
        if categories is not None:
            block.categories.set(categories)
        if moved_region:
            _renumber(_by_region(draft))
        return block


def set_block_image(*, user, key, image: File | None) -> LayoutBlock:
    """Give a hero block of the user's draft a new image, or none. Raises BlockNotFound.

    The old file stays in storage: the live layout or a revision may still show it.
    """
    with transaction.atomic():
        block = _draft_block(_locked_draft(user), key)
        if not BLOCK_KINDS[block.kind].takes_image:
            raise BlockNotFound()
        if image is None:
            block.image = None
        else:
            block.image.save(image.name or "hero", image, save=False)
        block.save()
        return block


def add_block(*, user, kind: str, region: str) -> LayoutBlock:
    """Append a new block of `kind`, with friendly placeholder content, to a region of the draft."""
    if kind not in BLOCK_KINDS or region not in REGION_ORDER:
        raise ValueError(f"Unknown block kind {kind!r} or region {region!r}.")
    with transaction.atomic():
        draft = _locked_draft(user)
        block = LayoutBlock.objects.create(
            layout=draft, kind=kind, region=region, order=10_000, **BLOCK_KINDS[kind].defaults
        )
        _renumber(_by_region(draft))
        return block


def remove_block(*, user, key) -> None:
    """Remove a block from the user's draft (the live layout keeps it until they publish)."""
    with transaction.atomic():
        draft = _locked_draft(user)
        _draft_block(draft, key).delete()
        _renumber(_by_region(draft))


def move_block(*, user, key, position: int) -> LayoutBlock:
    """Put a block at `position` (1-based, clamped) within its region of the draft."""
    with transaction.atomic():
        draft = _locked_draft(user)
        block = _draft_block(draft, key)
        regions = _by_region(draft)
        blocks = regions[block.region]
        current = next(b for b in blocks if b.pk == block.pk)
        blocks.remove(current)
        blocks.insert(min(max(position, 1), len(blocks) + 1) - 1, current)
        _renumber(regions)
        return current


def set_block_active(*, user, key, active: bool) -> LayoutBlock:
    """Show or hide a block in the user's draft."""
    with transaction.atomic():
        block = _draft_block(_locked_draft(user), key)
        if block.active != active:
            block.active = active
            block.save(update_fields=["active"])
        return block


def discard_draft(*, user) -> bool:
    """Delete the user's draft; return False when they had none."""
    with transaction.atomic():
        draft = locks.lock_draft(owner_id=user.pk)
        if draft is None:
            return False
        draft.delete()
        return True


def rebase_draft(*, user) -> Layout:
    """Keep the draft over the newer live layout: its next publish replaces what is live now.

    The explicit answer to LiveLayoutChanged, after the user compared the two. Raises NoDraft.
    """
    _ensure_live_layout()
    with transaction.atomic():
        live, draft = locks.lock_live_and_draft(owner_id=user.pk)
        if draft is None:
            raise NoDraft()
        draft.base_version = live.version
        draft.save(update_fields=["base_version", "updated"])
        return draft


# Publishing and revisions ------------------------------------------------------------------------


def _publisher_name(user) -> str:
    if user is None:
        return "someone"
    return user.get_full_name() or user.get_username()


def publish_draft(*, user) -> Layout:
    """Make the user's draft the live homepage, atomically; return the new revision.

    Raises NoDraft, or LiveLayoutChanged (nothing changes, the draft is kept) when somebody
    published since the draft was copied. The cached homepage is invalidated once committed, so
    visitors see the new layout on their next request.
    """
    _ensure_live_layout()
    with transaction.atomic():
        live, draft = locks.lock_live_and_draft(owner_id=user.pk)
        if draft is None:
            raise NoDraft()
        if draft.base_version != live.version:
            raise LiveLayoutChanged(
                base_version=draft.base_version,
                live_version=live.version,
                published_by=_publisher_name(live.published_by),
                published_at=live.published_at,
            )
        now = timezone.now()
        live.blocks.all().delete()
        copy_blocks(source=draft, target=live)
        live.version += 1
        live.published_by, live.published_at = user, now
        live.save(update_fields=["version", "published_by", "published_at", "updated"])
        revision = Layout.objects.create(
            kind=Layout.Kind.REVISION, version=live.version, published_by=user, published_at=now
        )
        copy_blocks(source=draft, target=revision)
        draft.delete()
        transaction.on_commit(cache_invalidation.invalidate_live_homepage)
        return revision


def restore_revision(*, user, version: int) -> Layout:
    """Replace the user's draft with a copy of revision `version`; return the draft.

    The draft is based on the current live version, so publishing it brings that revision back.
    Raises UnknownRevision.
    """
    revision = Layout.objects.revisions().filter(version=version).first()
    if revision is None:
        raise UnknownRevision()
    return replace_draft(user=user, source=revision)


def replace_draft(*, user, source: Layout) -> Layout:
    """Replace the user's draft with a copy of `source` (a revision, a release's homepage);
    return the draft, based on the current live version."""
    _ensure_live_layout()
    with transaction.atomic():
        live = locks.lock_live_layout()
        draft = locks.lock_draft(owner_id=user.pk)
        if draft is None:
            draft = Layout.objects.create(
                kind=Layout.Kind.DRAFT, owner=user, base_version=live.version
            )
        else:
            draft.blocks.all().delete()
            draft.base_version = live.version
            draft.save(update_fields=["base_version", "updated"])
        copy_blocks(source=source, target=draft)
        return draft


def ensure_published_layout(*, blocks: list[dict[str, Any]], user=None) -> Layout | None:
    """Publish `blocks` as the first homepage when nothing was ever published; else do nothing.

    Each dict holds LayoutBlock fields, plus optional `products` (Products) and `categories`
    (Categories). Returns the new revision, or None when a layout was already live. For seeding.
    """
    _ensure_live_layout()
    with transaction.atomic():
        live = locks.lock_live_layout()
        if live.version > 0 or live.blocks.exists():
            return None
        for order, spec in enumerate(blocks, start=1):
            values = dict(spec)
            products = values.pop("products", [])
            categories = values.pop("categories", [])
            block = LayoutBlock.objects.create(layout=live, order=order, **values)
            LayoutBlockProduct.objects.bulk_create(
                LayoutBlockProduct(block=block, product=p, position=i)
                for i, p in enumerate(products)
            )
            block.categories.set(categories)
        now = timezone.now()
        live.version = 1
        live.published_by, live.published_at = user, now
        live.save(update_fields=["version", "published_by", "published_at", "updated"])
        revision = Layout.objects.create(
            kind=Layout.Kind.REVISION, version=1, published_by=user, published_at=now
        )
        copy_blocks(source=live, target=revision)
        transaction.on_commit(cache_invalidation.invalidate_live_homepage)
        return revision

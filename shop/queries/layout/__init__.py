"""Read models for the homepage, by job: rendering blocks and the cached live homepage
(`rendering`), the editor's read model (`editor`) and published revisions (`revisions`); a
draft's shared preview link is shop.moment.links. Import from here:
`from shop.queries import layout`."""

from shop.queries.layout.editor import (
    BlockChoices,
    BlockStatus,
    EditorBlock,
    EditorRegion,
    HomepageEditor,
    block_choices,
    block_content,
    block_kind,
    draft_of,
    homepage_editor,
    visibility,
)
from shop.queries.layout.rendering import (
    CACHE_ENTRY_KEY,
    RAIL_ROW,
    REGIONS,
    Homepage,
    Region,
    RenderedBlock,
    draft_homepage,
    live_homepage,
    render_block,
)
from shop.queries.layout.revisions import revision_history

__all__ = [
    "CACHE_ENTRY_KEY",
    "RAIL_ROW",
    "REGIONS",
    "BlockChoices",
    "BlockStatus",
    "EditorBlock",
    "EditorRegion",
    "Homepage",
    "HomepageEditor",
    "Region",
    "RenderedBlock",
    "block_choices",
    "block_content",
    "block_kind",
    "draft_homepage",
    "draft_of",
    "homepage_editor",
    "live_homepage",
    "render_block",
    "revision_history",
    "visibility",
]

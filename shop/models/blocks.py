"""Homepage block kinds in one place: each kind's fields, new-block defaults, template, form and
loader.

    kind = BLOCK_KINDS[LayoutBlock.Kind.HERO]
    kind.fields      what the editor shows, a copy carries and "changed" compares
    kind.defaults    the placeholder content of a new block (services.layout.add_block)
    kind.template    "blocks/hero.html", rendered with `block` and `editing`
    kind.form        its BlockForm subclass (registered by shop.forms)
    kind.loader      what it shows beyond its own columns, loaded for a whole layout in a fixed
                     number of queries (registered by shop.queries.layout.rendering), or None

The registry lives with the models so every layer can read it; the two parts that belong to
higher layers (the form, the loader) register themselves here with `form_for`/`loader_for`
when their module is imported, so no lower layer imports a higher one. `check()` (run by
ShopConfig.ready and the tests) refuses a kind without a form, a form whose fields are not the
kind's, or a kind without a template.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from shop.models.layout import LayoutBlock

# Every block has these besides its kind's fields (the editor's "where and when").
COMMON_FIELDS = ("region", "starts_at", "ends_at")
# Fields that are relations, not columns: copied and compared through their own tables.
RELATION_FIELDS = ("products", "categories")
# Foreign keys a form hands over as `<name>_id`.
KEY_FIELDS = ("rule_category", "rule_attribute_value")


@dataclass
class BlockKind:
    """One kind of homepage block (see the module's docstring)."""

    kind: str
    fields: tuple[str, ...]
    defaults: Mapping[str, Any]
    takes_image: bool = False
    form: type | None = None
    loader: Callable[[list[Any], Any], dict[int, Any]] | None = None
    loader_name: str = ""  # which loader it needs: named here, the function registers itself

    @property
    def label(self) -> str:
        return LayoutBlock.Kind(self.kind).label

    @property
    def template(self) -> str:
        return f"blocks/{self.kind}.html"

    def settable(self) -> set[str]:
        """The names `services.layout.update_block` accepts for this kind."""
        names = set(COMMON_FIELDS)
        for name in self.fields:
            names.add(f"{name}_id" if name in KEY_FIELDS else name)
        return names


class BlockKinds(dict[str, BlockKind]):
    """The registry: {kind: BlockKind}, plus the registration decorators."""

    def form_for(self, kind: str):
        """Class decorator: `kind`'s editor form."""

        def register(form_class: type) -> type:
            self[kind].form = form_class
            return form_class

        return register

    def loader_for(self, name: str):
        """Function decorator: the loader every kind whose `loader_name` is `name` uses. It
        takes all the blocks of the layouts being rendered and the store state they show
        (shop.moment.values.StoreState), and returns what they show, by block id (the block
        templates get it as `shows`)."""

        def register(
            function: Callable[[list[Any], Any], dict[int, Any]],
        ) -> Callable[[list[Any], Any], dict[int, Any]]:
            for kind in self.values():
                if kind.loader_name == name:
                    kind.loader = function
            return function

        return register

    def loaders(self) -> list[Callable[[list[Any], Any], dict[int, Any]]]:
        """Each registered loader once, in registry order."""
        found: list[Callable[[list[Any], Any], dict[int, Any]]] = []
        for kind in self.values():
            if kind.loader is not None and kind.loader not in found:
                found.append(kind.loader)
        return found

    def check(self) -> list[str]:
        """What is missing or inconsistent, in words (empty when every kind is complete)."""
        problems = []
        for value in LayoutBlock.Kind.values:
            if value not in self:
                problems.append(f"{value}: not in BLOCK_KINDS")
        for kind in self.values():
            if kind.form is None:
                problems.append(f"{kind.kind}: no form registered")
            else:
                declared = set(getattr(kind.form, "base_fields", {})) - set(COMMON_FIELDS)
                expected = set(kind.fields) - {"image"}
                if declared != expected:
                    problems.append(
                        f"{kind.kind}: its form has {sorted(declared)}, the kind {sorted(expected)}"
                    )
            if kind.loader_name and kind.loader is None:
                problems.append(f"{kind.kind}: no loader {kind.loader_name!r} registered")
            try:
                get_template(kind.template)
            except TemplateDoesNotExist:
                problems.append(f"{kind.kind}: no template {kind.template}")
        return problems


Kind = LayoutBlock.Kind

BLOCK_KINDS = BlockKinds(
    {
        Kind.HERO: BlockKind(
            kind=Kind.HERO,
            fields=("heading", "text", "image", "image_alt", "cta_label", "cta_url"),
            defaults={
                "heading": "A new hero banner",
                "text": "Say what is new, in a sentence or two.",
                "cta_label": "Shop now",
                "cta_url": "/catalog/",
            },
            takes_image=True,
        ),
        Kind.FEATURED_PRODUCTS: BlockKind(
            kind=Kind.FEATURED_PRODUCTS,
            fields=(
                "heading",
                "product_source",
                "products",
                "rule_category",
                "rule_attribute_value",
                "product_count",
            ),
            defaults={
                "heading": "New in",
                "product_source": LayoutBlock.ProductSource.CATEGORY,
                "product_count": 4,
            },
            loader_name="featured-products",
        ),
        Kind.CATEGORY_GRID: BlockKind(
            kind=Kind.CATEGORY_GRID,
            fields=("heading", "categories"),
            defaults={"heading": "Shop by category"},
            loader_name="grid-categories",
        ),
        Kind.PROMO_BANNER: BlockKind(
            kind=Kind.PROMO_BANNER,
            fields=("heading", "text", "cta_label", "cta_url", "tone"),
            defaults={
                "heading": "A new promotion",
                "text": "What is on offer, and until when.",
            },
        ),
        Kind.RICH_TEXT: BlockKind(
            kind=Kind.RICH_TEXT,
            fields=("heading", "body"),
            defaults={"heading": "A few words", "body": "<p>Write something here.</p>"},
        ),
        Kind.CUSTOM_HTML: BlockKind(
            kind=Kind.CUSTOM_HTML,
            fields=("body",),
            defaults={"body": "<p>Custom HTML</p>"},
        ),
    }
)

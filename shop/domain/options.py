"""A product's options (colour, size, ...) and which variant a shopper's choice names.

The product page offers one group of radios per option, and the shopper's choice comes back as
`{"colour": "Navy", "size": "M"}` (a GET to see price and stock, or the POST that adds to the
cart). `select` turns the product's variants and that choice into what the page shows: the
groups, each value's variant given the other chosen values (so "L" can say "sold out in navy"),
and the chosen variant, or None when no variant has that combination.

When the variants' options cannot tell them apart (none recorded, or two variants with the
same values), the product has one group, `variant`, whose values are the variants' ids and
whose labels are their names.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shop.domain.availability import Availability

VARIANT = "variant"
# Options come first in this order, then the others alphabetically.
OPTION_ORDER = ("colour", "size")
# Names a form on the product page already uses; an option may not be called that.
RESERVED_NAMES = frozenset(
    {VARIANT, "product", "quantity", "next", "request_id", "request_input", "csrfmiddlewaretoken"}
)
MAX_VALUE_LENGTH = 80


class Buyable(Protocol):
    """What a variant offers here (shop.models.Variant is one)."""

    @property
    def pk(self) -> Any: ...
    # Any, not str: in some import orders mypy's Django plugin has not typed Variant.name (a
    # CharField) yet when Variant is checked against this protocol, and refuses it.
    @property
    def name(self) -> Any: ...
    @property
    def options(self) -> Any: ...
    @property
    def availability(self) -> Availability: ...


@dataclass(frozen=True)
class Choice[V: Buyable]:
    """One value of an option. `variant` is what it names with the other chosen values."""

    value: str
    label: str
    checked: bool
    variant: V | None

    @property
    def note(self) -> str:
        """What the shopper should know before choosing it: "" or "sold out"/"unavailable"."""
        if self.variant is None:
            return "unavailable"
        return "" if self.variant.availability.available else "sold out"


@dataclass(frozen=True)
class OptionGroup[V: Buyable]:
    name: str
    label: str
    choices: tuple[Choice[V], ...]

    @property
    def selectable(self) -> bool:
        """Whether there is anything to choose (one value is shown as text, not as radios)."""
        return len(self.choices) > 1

    @property
    def checked(self) -> Choice[V] | None:
        return next((c for c in self.choices if c.checked), None)


@dataclass(frozen=True)
class Selection[V: Buyable]:
    """What a choice amounts to. `variant` is None when the combination does not exist.

    `unknown` names the options whose given value is not one of theirs (they fell back to the
    default), `missing` the groups with several values that the choice did not mention.
    """

    groups: tuple[OptionGroup[V], ...]
    values: Mapping[str, str]
    variant: V | None
    unknown: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """The choice in words, "Navy, M", for announcements and messages."""
        return ", ".join(g.checked.label for g in self.groups if g.checked)


def option_names(variants: Sequence[Buyable]) -> tuple[str, ...]:
    """The option names that tell these variants apart, in display order, or ("variant",)."""
    names = {name for v in variants for name in v.options}
    combinations = {_key(v.options, names) for v in variants}
    distinct = len(combinations) == len(variants)
    complete = all(set(v.options) == names and all(v.options.values()) for v in variants)
    valid = not names & RESERVED_NAMES and all(
        isinstance(value, str) and len(value) <= MAX_VALUE_LENGTH
        for v in variants
        for value in v.options.values()
    )
    if not (names and distinct and complete and valid):
        return (VARIANT,)
    ordered = [n for n in OPTION_ORDER if n in names]
    return (*ordered, *sorted(names - set(ordered)))


def select[V: Buyable](variants: Sequence[V], chosen: Mapping[str, str]) -> Selection[V]:
    """The groups and the variant that `chosen` names among `variants` (in display order).

    Values not given, or not valid, are those of the default variant: the first one in stock,
    else the first. A valid `variant` id in `chosen` stands for all of that variant's values.
    """
    if not variants:
        return Selection(groups=(), values={}, variant=None)
    names = option_names(variants)
    values_of = {id(v): _values(v, names) for v in variants}
    by_key = {_key(values_of[id(v)], names): v for v in variants}
    default = next((v for v in variants if v.availability.available), variants[0])
    values = dict(values_of[id(default)])
    given = str(chosen.get(VARIANT, ""))
    named = next((v for v in variants if str(v.pk) == given), None)
    if named is not None:
        values = dict(values_of[id(named)])
    unknown, missing = [], []
    for name in names:
        offered = {values_of[id(v)][name] for v in variants}
        value = chosen.get(name)
        if value is None:
            if len(offered) > 1 and named is None:
                missing.append(name)
        elif value in offered:
            values[name] = value
        elif name != VARIANT or named is None:
            unknown.append(name)
    groups = tuple(
        OptionGroup(
            name=name,
            label="Option" if name == VARIANT else name.replace("_", " ").capitalize(),
            choices=tuple(
                Choice(
                    value=value,
                    label=label,
                    checked=value == values[name],
                    variant=by_key.get(_key({**values, name: value}, names)),
                )
                for value, label in _offered(variants, names, name, values_of)
            ),
        )
        for name in names
    )
    return Selection(
        groups=groups,
        values=values,
        variant=by_key.get(_key(values, names)),
        unknown=tuple(unknown),
        missing=tuple(missing),
    )


def _values(variant: Buyable, names: tuple[str, ...]) -> dict[str, str]:
    if names == (VARIANT,):
        return {VARIANT: str(variant.pk)}
    return {name: variant.options[name] for name in names}


def _key(values: Mapping[str, object], names) -> tuple:
    return tuple(values.get(name) for name in sorted(names))


def _offered(variants, names, name, values_of) -> list[tuple[str, str]]:
    """(value, label) of option `name`, in the order the variants first use them."""
    seen: dict[str, str] = {}
    for v in variants:
        value = values_of[id(v)][name]
        seen.setdefault(value, v.name if names == (VARIANT,) else value)
    return list(seen.items())

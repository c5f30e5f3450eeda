"""Which variant a shopper's choice of options names, and what each option says about it."""

from dataclasses import dataclass, field

from shop.domain.availability import Availability
from shop.domain.options import VARIANT, option_names, select


@dataclass
class V:
    pk: int
    options: dict = field(default_factory=dict)
    stock: int = 5
    name: str = ""

    @property
    def availability(self) -> Availability:
        return Availability(quantity=self.stock)


def jumper() -> list[V]:
    """Grey in S, M and L (M sold out); navy in S and M only."""
    return [
        V(1, {"size": "S", "colour": "Grey"}),
        V(2, {"size": "M", "colour": "Grey"}, stock=0),
        V(3, {"size": "L", "colour": "Grey"}),
        V(4, {"size": "S", "colour": "Navy"}),
        V(5, {"size": "M", "colour": "Navy"}),
    ]


def test_groups_come_colour_first_with_values_in_the_variants_order():
    selection = select(jumper(), {})
    assert [(g.name, g.label) for g in selection.groups] == [("colour", "Colour"), ("size", "Size")]
    assert [c.value for c in selection.groups[1].choices] == ["S", "M", "L"]
    assert selection.variant.pk == 1  # the first variant in stock
    assert selection.summary == "Grey, S"


def test_a_choice_names_its_variant_and_each_value_says_what_it_would_name():
    selection = select(jumper(), {"colour": "Navy", "size": "M"})
    assert selection.variant.pk == 5
    sizes = {
        c.value: (c.checked, c.variant and c.variant.pk, c.note)
        for c in selection.groups[1].choices
    }
    assert sizes == {"S": (False, 4, ""), "M": (True, 5, ""), "L": (False, None, "unavailable")}
    grey = select(jumper(), {"colour": "Grey", "size": "M"})
    assert grey.variant.pk == 2 and grey.groups[1].checked.note == "sold out"


def test_a_combination_that_is_not_made_names_no_variant_but_keeps_the_choice():
    selection = select(jumper(), {"colour": "Navy", "size": "L"})
    assert selection.variant is None
    assert dict(selection.values) == {"colour": "Navy", "size": "L"}
    assert selection.summary == "Navy, L"


def test_unknown_values_fall_back_to_the_default_and_are_reported():
    selection = select(jumper(), {"colour": "Chartreuse", "size": "M"})
    assert selection.unknown == ("colour",)
    assert selection.variant.pk == 2  # grey (the default's colour), M


def test_a_variant_id_stands_for_its_values_and_nothing_is_missing():
    selection = select(jumper(), {VARIANT: "4"})
    assert selection.variant.pk == 4 and selection.missing == ()
    assert select(jumper(), {"colour": "Navy"}).missing == ("size",)


def test_options_that_cannot_tell_variants_apart_become_one_group_of_variants():
    same = [V(1, {"size": "M"}, name="First"), V(2, {"size": "M"}, name="Second")]
    none = [V(1, name="Small"), V(2, name="Large")]
    reserved = [V(1, {"quantity": "1"}), V(2, {"quantity": "2"})]
    for variants in (same, none, reserved):
        assert option_names(variants) == (VARIANT,)
    selection = select(none, {VARIANT: "2"})
    assert selection.variant.pk == 2
    assert [(c.value, c.label) for c in selection.groups[0].choices] == [
        ("1", "Small"),
        ("2", "Large"),
    ]


def test_a_single_value_is_not_a_choice():
    selection = select([V(1, {"colour": "Red"})], {})
    assert not selection.groups[0].selectable and selection.variant.pk == 1
    assert select([], {}).variant is None

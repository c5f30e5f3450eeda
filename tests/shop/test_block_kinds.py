"""Homepage block kinds are registered in one place (shop.models.blocks), completely."""

import pytest

import shop.forms
import shop.queries.layout  # noqa: F401 (loaders register themselves)
from shop.apps import check_block_kinds
from shop.models import LayoutBlock
from shop.models.blocks import BLOCK_KINDS, BlockKind


def test_every_kind_has_its_fields_defaults_form_loader_and_template():
    assert set(BLOCK_KINDS) == set(LayoutBlock.Kind.values)
    assert BLOCK_KINDS.check() == []
    assert check_block_kinds() == []
    featured = BLOCK_KINDS[LayoutBlock.Kind.FEATURED_PRODUCTS]
    assert featured.loader is not None and featured.template == "blocks/featured_products.html"
    assert "rule_category_id" in featured.settable()
    assert BLOCK_KINDS[LayoutBlock.Kind.HERO].takes_image


def test_the_check_names_what_a_new_kind_lacks(monkeypatch):
    half_done = BlockKind(kind="countdown", fields=("heading",), defaults={}, loader_name="clock")
    monkeypatch.setitem(BLOCK_KINDS, "countdown", half_done)
    problems = BLOCK_KINDS.check()
    assert "countdown: no form registered" in problems
    assert "countdown: no loader 'clock' registered" in problems
    assert "countdown: no template blocks/countdown.html" in problems


@pytest.mark.parametrize("kind", LayoutBlock.Kind.values)
def test_a_forms_fields_are_its_kinds(kind):
    form = BLOCK_KINDS[kind].form
    assert form is not None
    assert set(form.base_fields) - {"region", "starts_at", "ends_at"} == set(
        BLOCK_KINDS[kind].fields
    ) - {"image"}

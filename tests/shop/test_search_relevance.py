"""The relevance suite: on the seeded demo catalog, which products a search must put first.

Expectations are computed from the catalog itself (the products whose name has both words,
the parkas that come in black...), so they hold whatever seed_demo generates. The suite runs on
the database the tests use (PostgreSQL) and, through `test_the_suite_passes_on_sqlite_too`, on
SQLite in a subprocess: the embedded demo must search sensibly too. Run it with `-s` to print
each query's top results (lines starting with "relevance").
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test import override_settings

from shop.models import Product, SearchPin, Variant
from shop.moment.resolve import resolve
from shop.queries.catalog import CatalogFilters, product_listing
from shop.queries.search import interpret

pytestmark = pytest.mark.django_db

PRODUCTS = 240
ROOT = Path(__file__).resolve().parents[2]
SHARED_MEDIA = "SEARCH_RELEVANCE_MEDIA"  # the pictures seed_demo drew, for the SQLite run


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo catalog (seed_demo, with its synonyms and pinned search) for the whole module,
    in a transaction rolled back at the end so no other test sees it."""
    media = Path(os.environ.get(SHARED_MEDIA) or tmp_path_factory.getbasetemp() / "media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", "--products", str(PRODUCTS), verbosity=0)
        yield media
        transaction.set_rollback(True)


def results(text: str, **filters) -> list[Product]:
    """The products the catalog lists for the search `text` (every page), in order."""
    pks: list[int] = []
    page = 1
    while True:
        listing = product_listing(
            state=resolve(), filters=CatalogFilters(q=text, page=page, **filters)
        )
        pks += [card.pk for card in listing.products]
        if page >= listing.num_pages:
            break
        page += 1
    by_pk = Product.objects.in_bulk(pks)
    found = [by_pk[pk] for pk in pks]
    top = ", ".join(p.name for p in found[:3])
    print(f"relevance [{connection.vendor}] {text!r}: {len(found)} found; first: {top}")
    return found


def live(condition: Q) -> set[Product]:
    return set(Product.objects.published(resolve()).filter(condition).distinct())


def named(*words: str) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(name__icontains=word)
    return condition


def in_colour(colour: str) -> Q:
    return Q(attributes__value__label=colour) | Q(variants__name__icontains=colour)


def assert_first(found: list[Product], expected: set[Product]) -> None:
    """`expected` (not empty) are the first len(expected) results, in any order."""
    assert expected, "the seeded catalog has nothing to expect"
    assert set(found[: len(expected)]) == expected, [p.name for p in found[: len(expected) + 2]]


def test_both_words_in_the_name_come_first():
    assert_first(results("leather parka"), live(named("leather", "parka")))


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("lether parka", "leather parka"),
        ("leather praka", "leather parka"),
        ("cardgian", "cardigan"),
    ],
)
def test_typos_find_what_was_meant(typed, meant):
    assert results(typed) == results(meant)
    assert interpret(typed).corrected == meant


def test_a_typo_in_a_colour_finds_the_products_in_that_colour():
    found = results("parka blak")
    assert set(found) == live(named("parka") & in_colour("Black"))


def test_accents_and_case_are_ignored():
    assert results("LÉATHER Pärka") == results("leather parka")


def test_a_partial_last_word_finds_the_words_it_starts():
    assert set(results("cardi")) == live(named("cardigan"))
    assert_first(results("leather par"), live(named("leather", "par")))


def test_a_typo_comes_first_as_corrected_then_its_synonyms():
    sweaters = live(named("sweater"))
    found = results("sweter")
    assert_first(found, sweaters)
    # The demo's synonyms (jumper, sweater, pullover) bring the jumpers after them.
    assert set(found) == sweaters | live(named("jumper")) | live(named("pullover"))


def test_synonyms_find_each_other_but_the_word_typed_comes_first():
    jumpers, sweaters = live(named("jumper")), live(named("sweater"))
    found = results("jumper")
    assert_first(found, jumpers)
    assert set(found) == jumpers | sweaters
    # A word the catalog lacks, known only as a synonym.
    assert set(results("pullover")) == jumpers | sweaters


def test_a_pinned_search_shows_its_products_first_in_order():
    pinned = [pin.product for pin in SearchPin.objects.filter(query="gift").order_by("position")]
    assert pinned, "seed_demo pins products for “gift”"
    assert results("Gift")[: len(pinned)] == pinned


def test_a_category_name_finds_the_category():
    found = results("knitwear")
    assert set(found) == live(Q(category__slug="knitwear"))


def test_a_brand_ranks_its_own_products_above_those_that_only_mention_it():
    found = results("northway")
    assert_first(found, live(Q(attributes__value__label="Northway")))


def test_a_sku_finds_its_product_alone():
    variant = Variant.objects.filter(product__in=Product.objects.published(resolve())).order_by(
        "pk"
    )[7]
    assert results(variant.sku) == [variant.product]
    assert results(variant.sku.lower().replace("-", " ")) == [variant.product]


def test_in_stock_comes_before_sold_out_within_the_same_relevance():
    for text in ("parka", "shirt", "boots"):
        found = results(text)
        stock = [p.variants.filter(stock__gt=0).exists() for p in found]
        in_name = [bool(re.search(rf"\b{text}", p.name.lower())) for p in found]
        for rank in {True, False}:
            tier = [s for s, n in zip(stock, in_name, strict=True) if n is rank]
            assert tier == sorted(tier, reverse=True), (text, rank)


def test_nothing_found_offers_a_close_search():
    assert results("sneekrs") == []
    assert interpret("sneekrs").suggestion == "sneakers"
    assert results("xyzzy") == [] and interpret("xyzzy").suggestion is None


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "") == "", reason="this run is the SQLite run already"
)
def test_the_suite_passes_on_sqlite_too(seeded, tmp_path):
    """The same suite against SQLite (the embedded demo's database), in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(SQLITE_PATH=str(tmp_path / "demo.sqlite3"), **{SHARED_MEDIA: str(seeded)})
    result = subprocess.run(
        [sys.executable, "-m", "pytest", __file__, "-q", "-s", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]

"""shop.domain.search: the pure rules both search backends share."""

import pytest

from shop.domain import search


def test_normalise_lowers_drops_accents_and_splits_on_anything_but_letters_and_digits():
    assert search.normalise("  Léather–PARKA, Café crème  T-shirt SF-000002-1 ") == (
        "leather parka cafe creme t shirt sf 000002 1"
    )


def test_words_drop_stop_words_and_keep_at_most_eight():
    assert search.words("The parka for the city") == ["parka", "city"]
    assert search.words("the and of") == []
    assert len(search.words(" ".join(f"w{i}" for i in range(20)))) == search.MAX_WORDS


def test_a_search_key_ignores_case_accents_spaces_and_stop_words():
    assert search.key("A  Léather PARKA") == search.key("leather parka") == "leather parka"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("sweter", "sweater", 1),
        ("jakcet", "jacket", 1),  # two neighbours swapped count once
        ("blak", "black", 1),
        ("sneekrs", "sneakers", 2),
        ("parka", "parka", 0),
        ("", "mug", 3),
    ],
)
def test_edit_distance_counts_insertions_deletions_substitutions_and_swaps(a, b, distance):
    assert search.edit_distance(a, b) == distance == search.edit_distance(b, a)


@pytest.mark.parametrize(
    ("typed", "known", "accepted"),
    [
        ("sweter", "sweater", True),
        ("lether", "leather", True),
        ("blak", "black", True),
        ("jakcet", "jacket", True),
        ("leath", "leather", True),  # the start of a word
        ("cardi", "cardigan", True),
        ("mgu", "mug", False),  # three letters: only a letter left out is guessed
        ("wol", "wool", True),
        ("sneekrs", "sneakers", False),  # two slips in seven letters: ask instead
        ("trowsres", "trousers", True),  # two slips in eight letters
        ("tent", "vest", False),
    ],
)
def test_is_typo_of_accepts_one_slip_in_four_letters_and_two_in_eight(typed, known, accepted):
    assert search.is_typo_of(typed, known) is accepted


def test_best_corrections_prefers_fewest_edits_and_otherwise_offers_a_close_word():
    assert search.best_corrections("blak", ["black", "blue", "bag"]) == (["black"], None)
    assert search.best_corrections("sneekrs", ["sneakers", "shirts"]) == ([], "sneakers")
    assert search.best_corrections("xyzzy", ["mug", "parka"]) == ([], None)


def test_marked_spans_mark_whole_words_give_or_take_a_suffix_and_prefixes():
    spans = search.marked_spans(
        "City Léather Parkas & T-shirt", whole=["leather", "parka"], prefixes=["t"]
    )
    assert "".join(piece for piece, _ in spans) == "City Léather Parkas & T-shirt"
    assert [piece for piece, hit in spans if hit] == ["Léather", "Parkas", "T"]

"""Search text: how typed words are normalised, which typos are corrected, what gets marked.

Pure rules over strings, shared by both search backends (PostgreSQL and SQLite) so that they
read a query the same way: lower case, accents removed ("Café" is "cafe"), anything but
letters and digits separates words, English stop words dropped (PostgreSQL's own list, so a
word is a stop word on both backends or on neither), at most MAX_WORDS words.
"""

import re
import unicodedata
from collections.abc import Iterable

MAX_WORDS = 8
MAX_WORD_LENGTH = 40
# PostgreSQL's english.stop (the Snowball list): the words its English configuration ignores.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())
_NOT_A_WORD = re.compile(r"[^a-z0-9]+")
_TOKEN = re.compile(r"\w+", re.UNICODE)
# Suffixes a highlight may ignore, so "sweaters" marks "Sweater" (the backends stem properly).
_SUFFIXES = ("ies", "es", "s", "ing", "ed")


def normalise(text: str) -> str:
    """`text` in lower case without accents, its words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_A_WORD.sub(" ", plain).split())


def words(text: str) -> list[str]:
    """The words a search for `text` looks for: normalised, no stop words, at most MAX_WORDS."""
    found = [
        w for w in normalise(text).split() if w not in STOP_WORDS and len(w) <= MAX_WORD_LENGTH
    ]
    return found[:MAX_WORDS]


def key(text: str) -> str:
    """What identifies a search whatever its spelling of case, accents and spaces: the words
    joined by spaces ("Leather  PARKA" and "leather parka" are the same search, so share
    pinned results and cached answers)."""
    return " ".join(words(text))


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
    neighbouring letters each cost one ("sweter" → "sweater" 1, "jakcet" → "jacket" 1)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def is_typo_of(typed: str, known: str) -> bool:
    """Whether `known` (a word of the catalog) is what the shopper most likely meant by `typed`,
    confidently enough to search for it without asking.

    One slip in a word of four letters or more ("blak", "sweter", "lether", "jakcet"), two in
    a word of eight or more, one letter left out of a word of three ("wol"), or the start of a
    longer word ("leath", "cardi": three letters at least).
    """
    if typed == known:
        return True
    if len(typed) >= 3 and known.startswith(typed):
        return True
    if len(typed) == 3:
        return len(known) == 4 and edit_distance(typed, known) == 1
    allowed = 2 if len(typed) >= 8 else 1 if len(typed) >= 4 else 0
    return allowed > 0 and edit_distance(typed, known) <= allowed


def could_mean(typed: str, known: str) -> bool:
    """Whether `known` is close enough to offer as "Did you mean …?" (looser than is_typo_of)."""
    allowed = max(1, min(3, len(typed) // 3))
    return len(typed) >= 3 and edit_distance(typed, known) <= allowed


def best_corrections(typed: str, candidates: Iterable[str]) -> tuple[list[str], str | None]:
    """(the corrections to search for, a "did you mean" word) for an unknown word `typed`.

    Corrections are the candidates `is_typo_of` accepts, fewest edits first (at most two, so a
    short typo does not fan out); without any, the closest candidate that `could_mean` accepts
    is offered instead.
    """
    ranked = sorted(set(candidates), key=lambda c: (edit_distance(typed, c), len(c), c))
    accepted = [c for c in ranked if is_typo_of(typed, c)]
    if accepted:
        best = edit_distance(typed, accepted[0])
        return [c for c in accepted if edit_distance(typed, c) <= best + 1][:2], None
    offered = next((c for c in ranked if could_mean(typed, c)), None)
    return [], offered


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def matches_word(token: str, *, whole: Iterable[str], prefixes: Iterable[str]) -> bool:
    """Whether a word of a product's name (normalised) is one a search looked for: one of
    `whole` give or take an English suffix, or starting with one of `prefixes`."""
    stem = _stem(token)
    return any(stem == _stem(w) for w in whole) or any(token.startswith(p) for p in prefixes)


def marked_spans(
    text: str, *, whole: Iterable[str], prefixes: Iterable[str]
) -> list[tuple[str, bool]]:
    """`text` cut into (piece, matched) pairs, in order: the words `matches_word` accepts are
    matched pieces, everything between them is not. Joining the pieces gives `text` back."""
    whole, prefixes = list(whole), list(prefixes)
    spans: list[tuple[str, bool]] = []
    position = 0
    for found in _TOKEN.finditer(text):
        token = normalise(found.group())
        if token and matches_word(token, whole=whole, prefixes=prefixes):
            if found.start() > position:
                spans.append((text[position : found.start()], False))
            spans.append((found.group(), True))
            position = found.end()
    if position < len(text):
        spans.append((text[position:], False))
    return spans

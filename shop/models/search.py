"""Search: a text document per product, the merchandiser's synonyms and pinned results, and the
report of searches that found nothing.

`SearchDocument` holds what a product is found by, in three weights: its name (A); its
categories, attribute values and brand (B); its description, variant names and SKUs (C).
shop.services.search writes these texts; the database derives its index from them
(migration 0011):

- PostgreSQL: a `document` tsvector column (English stemming, `unaccent`, the weights above)
  with a GIN index, computed by a trigger whenever a row is written, and a vocabulary table
  `shop_searchword` (the words of names and facets, with a pg_trgm GiST index) that typo
  correction looks up nearest neighbours in.
- SQLite (the embedded demo): FTS5 tables over the same rows, kept by triggers:
  `shop_search_fts` (Porter stemming, accents removed; name, facets, body) and
  `shop_search_words` (unstemmed, with its fts5vocab table `shop_search_words_vocab`).

`Match` is a resolved search (shop.queries.search resolves typed text into one), and
`matching`/`relevance` turn it into conditions and ordering for product querysets on either
backend.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from shop.domain import search as search_text
from shop.models.catalog import Product

# The PostgreSQL text search configuration made by migration 0011: English with unaccent.
TS_CONFIG = "shop_search"


class SearchDocument(models.Model):
    """What a product is found by (see the module docstring). One row per product."""

    product = models.OneToOneField(
        Product, primary_key=True, on_delete=models.CASCADE, related_name="search_document"
    )
    name = models.TextField()
    facets = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


def _clean_terms(raw: str) -> list[str]:
    terms = [search_text.normalise(part) for part in raw.split(",")]
    return list(dict.fromkeys(t for t in terms if t))


class SearchSynonym(models.Model):
    """Words or phrases that mean the same to shoppers: a search for any of them finds all.

    Stored normalised ("jumper,sweater,pull over"), so matching is a plain text comparison on
    both backends.
    """

    terms = models.CharField(
        max_length=300,
        unique=True,
        help_text="Two or more words or phrases that mean the same, separated by commas: "
        "jumper, sweater, pullover",
    )
    created = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["terms"]

    def __str__(self) -> str:
        return ", ".join(self.term_list)

    def save(self, *args, **kwargs):
        self.terms = ",".join(_clean_terms(self.terms))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        terms = _clean_terms(self.terms)
        if len(terms) < 2:
            raise ValidationError({"terms": "Give at least two different words or phrases."})
        self.terms = ",".join(terms)

    @property
    def term_list(self) -> list[str]:
        return self.terms.split(",")


class SearchPin(models.Model):
    """A product shown first for a search, whatever it is ranked (and even if it would not
    match): "gift" → the tea towel. `query` is stored as shop.domain.search.key makes it."""

    query = models.CharField(
        max_length=100, help_text="The search, as a shopper types it (case and accents ignored)."
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="search_pins")
    position = models.PositiveIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["query", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["query", "product"], name="search_pin_once")]

    def __str__(self) -> str:
        return f"{self.query} → {self.product}"

    def save(self, *args, **kwargs):
        self.query = search_text.key(self.query)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not search_text.key(self.query):
            raise ValidationError({"query": "Give a search with at least one real word."})


class ZeroResultSearch(models.Model):
    """A search that found nothing: its text (normalised), how often, first and last seen.

    No personal data: no shopper, session, address or time of any one search beyond the last.
    """

    query = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"

    def __str__(self) -> str:
        return self.query


# Matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word of a search: a product matches it if it has any of `words` (whole words, or
    phrases of words separated by spaces; stemmed by the backend), a word that starts with one
    of `prefixes`, or any of the merchandiser's `synonyms` for them. A term with none of these
    matches nothing."""

    words: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.prefixes or self.synonyms)

    def as_typed(self) -> "Term":
        """The term without its synonyms: what the shopper typed (or meant, if corrected)."""
        return Term(words=self.words, prefixes=self.prefixes)


@dataclass(frozen=True)
class Match:
    """A resolved search: products that match every term, and the `pinned` products (first, in
    this order, whether they match or not)."""

    terms: tuple[Term, ...]
    pinned: tuple[int, ...] = ()

    @classmethod
    def literal(cls, text: str) -> "Match":
        """The words of `text` as they are (the last also as a prefix): no synonyms, no typo
        correction, no pins."""
        found = search_text.words(text)
        return cls(
            terms=tuple(
                Term(prefixes=(w,)) if i == len(found) - 1 else Term(words=(w,))
                for i, w in enumerate(found)
            )
        )

    @property
    def can_match(self) -> bool:
        return bool(self.terms) and all(self.terms)

    def as_typed(self) -> "Match":
        """The terms without synonyms (and no pins), or every term if one has only synonyms."""
        typed = tuple(term.as_typed() for term in self.terms)
        return Match(terms=typed) if all(typed) else Match(terms=self.terms)


def _alternatives(term: Term) -> list[tuple[str, bool]]:
    """(word or phrase, is a prefix) for each way `term` can be matched."""
    return (
        [(w, False) for w in term.words]
        + [(p, True) for p in term.prefixes]
        + [(s, False) for s in term.synonyms]
    )


def _tsquery(match: Match, weights: str = "") -> str:
    """The terms as PostgreSQL to_tsquery text; words are [a-z0-9] only, so nothing to escape.

    PostgreSQL leaves stop words out of a phrase ("t shirt" would become just "shirt"), but
    indexes a hyphenated compound whole ("T-shirt" gives the lexeme t-shirt): a phrase with a
    stop word in it is searched for as that compound.
    """

    def operand(text: str, prefix: bool) -> str:
        parts = text.split()
        if len(parts) > 1 and any(p in search_text.STOP_WORDS for p in parts):
            parts = ["-".join(parts)]
        marks = ("*" if prefix else "") + weights
        parts = [f"{p}:{marks}" if marks else p for p in parts]
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"

    return " & ".join(
        "(" + " | ".join(operand(text, prefix) for text, prefix in _alternatives(term)) + ")"
        for term in match.terms
    )


def _fts5_query(match: Match, columns: str = "") -> str:
    """The terms as an SQLite FTS5 query, limited to `columns` ("name facets") if given."""
    query = " AND ".join(
        "("
        + " OR ".join(
            f'"{text}"' + (" *" if prefix else "") for text, prefix in _alternatives(term)
        )
        + ")"
        for term in match.terms
    )
    return f"{{{columns}}} : ({query})" if columns else query


def _products_matching(match: Match, *, columns: str = "") -> RawSQL:
    """SQL selecting the ids of products matching every term: anywhere, or only in `columns`
    ("name", or "name facets")."""
    if connection.vendor == "postgresql":
        weights = {"": "", "name": "A", "name facets": "AB"}[columns]
        return RawSQL(
            "SELECT product_id FROM shop_searchdocument WHERE document @@ to_tsquery(%s, %s)",
            (TS_CONFIG, _tsquery(match, weights)),
        )
    return RawSQL(
        "SELECT rowid FROM shop_search_fts WHERE shop_search_fts MATCH %s",
        (_fts5_query(match, columns),),
    )


def matching(match: Match) -> Q:
    """The condition on products for `match`: every term matched, or pinned."""
    condition = Q(pk__in=_products_matching(match)) if match.can_match else Q(pk__in=[])
    return condition | Q(pk__in=match.pinned) if match.pinned else condition


def relevance(match: Match) -> list:
    """Ordering expressions, most relevant first: the pinned products in their order; then
    products whose name has every term as typed (or as corrected); then whose name has them
    counting synonyms; then whose name, categories or attributes have them; then the rest
    (description, variants, SKUs). Later keys (stock, the shopper's sort) break ties."""
    order = []
    if match.pinned:
        order.append(
            Case(
                *[When(pk=pk, then=Value(i)) for i, pk in enumerate(match.pinned)],
                default=Value(len(match.pinned)),
                output_field=IntegerField(),
            ).asc()
        )
    if match.can_match:
        order.append(
            Case(
                When(pk__in=_products_matching(match.as_typed(), columns="name"), then=Value(1)),
                When(pk__in=_products_matching(match, columns="name"), then=Value(2)),
                When(pk__in=_products_matching(match, columns="name facets"), then=Value(3)),
                default=Value(4),
                output_field=IntegerField(),
            ).asc()
        )
    return order

"""Search reads: what a typed search means (`interpret`), and suggestions as the shopper types.

`interpret(text)` resolves the text into a `SearchPlan` in one query, cached per catalog
generation: which words the live catalog knows (stemmed; the last word also as a prefix),
the closest catalog words for the others (pg_trgm nearest neighbours on PostgreSQL, FTS5's
vocabulary on SQLite; accepted by edit distance, shop.domain.search), the merchandiser's
synonyms for them and the products pinned for the search. The catalog listing
(shop.queries.catalog) filters and ranks with `plan.match`; `suggestions` shows the first few
matches in one more query. Nothing here depends on who is asking.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from shop import cache_tokens
from shop.domain import search as search_text
from shop.models import Product, ProductImage, Variant
from shop.models.search import TS_CONFIG, Match, Term, matching, relevance
from shop.moment.values import StoreState

CACHE_VERSION = "v1"
SUGGESTED_PRODUCTS = 5
SUGGESTED_CATEGORIES = 3
# How many catalog words to consider as the meaning of an unknown word (nearest first).
CANDIDATES_PER_WORD = 8

# One statement that answers everything `interpret` needs, as (kind, position, text) rows:
# "known" (a word some live product has), "close" (a catalog word near an unknown word, which
# some live product has), "synonym" (a group holding a word, a bigram or a close word) and
# "pin" (a pinned product for this search, in order).
PLAN_SQL = {
    "postgresql": """
WITH q (i, word, query) AS (
    SELECT i::int, word, query FROM unnest(%(words)s::text[], %(queries)s::text[])
        WITH ORDINALITY AS typed (word, query, i)
),
known AS MATERIALIZED (
    SELECT q.i FROM q WHERE EXISTS (
        SELECT 1 FROM shop_searchdocument d JOIN shop_product p ON p.id = d.product_id
        WHERE d.document @@ to_tsquery(%(config)s, q.query)
            AND p.status = 'published' AND p.published_at <= %(now)s)
),
close AS MATERIALIZED (
    SELECT q.i, near.word FROM q CROSS JOIN LATERAL (
        SELECT w.word FROM shop_searchword w ORDER BY w.word <-> q.word LIMIT %(candidates)s
    ) near
    WHERE q.i NOT IN (SELECT i FROM known) AND EXISTS (
        SELECT 1 FROM shop_searchdocument d JOIN shop_product p ON p.id = d.product_id
        WHERE d.document @@ to_tsquery(%(config)s, near.word)
            AND p.status = 'published' AND p.published_at <= %(now)s)
)
SELECT 'known', i, NULL FROM known
UNION ALL SELECT 'close', i, word FROM close
UNION ALL SELECT 'synonym', NULL, s.terms FROM shop_searchsynonym s WHERE EXISTS (
    SELECT 1 FROM (SELECT word FROM q UNION ALL SELECT word FROM close
                   UNION ALL SELECT unnest(%(bigrams)s::text[])) t (word)
    WHERE ',' || s.terms || ',' LIKE '%%,' || t.word || ',%%')
UNION ALL SELECT 'pin', position, product_id::text FROM shop_searchpin WHERE query = %(key)s
""",
    "sqlite": """
WITH q (i, word, query) AS (VALUES {values}),
known AS (
    SELECT q.i FROM q WHERE EXISTS (
        SELECT 1 FROM shop_search_fts f JOIN shop_product p ON p.id = f.rowid
        WHERE shop_search_fts MATCH q.query
            AND p.status = 'published' AND p.published_at <= %(now)s)
),
close AS (
    SELECT q.i, v.term AS word FROM q JOIN shop_search_words_vocab v
        ON substr(v.term, 1, 1) = substr(q.word, 1, 1)
            AND abs(length(v.term) - length(q.word)) <= 4
    WHERE q.i NOT IN (SELECT i FROM known) AND EXISTS (
        SELECT 1 FROM shop_search_fts f JOIN shop_product p ON p.id = f.rowid
        WHERE shop_search_fts MATCH '"' || v.term || '"'
            AND p.status = 'published' AND p.published_at <= %(now)s)
)
SELECT 'known', i, NULL FROM known
UNION ALL SELECT 'close', i, word FROM close
UNION ALL SELECT 'synonym', NULL, s.terms FROM shop_searchsynonym s WHERE EXISTS (
    SELECT 1 FROM (SELECT word FROM q UNION ALL SELECT word FROM close {bigrams}) t
    WHERE ',' || s.terms || ',' LIKE '%%,' || t.word || ',%%')
UNION ALL SELECT 'pin', position, CAST(product_id AS TEXT) FROM shop_searchpin WHERE query = %(key)s
""",
}


@dataclass(frozen=True)
class SearchPlan:
    """What a typed search means, and what the results page says about it.

    `match` is what products must match (shop.models.search). `corrected` is the search as
    it was run when typos were corrected ("leather parka" for "lether parka"), to say so;
    `suggestion` is a close search to offer as "Did you mean …?" when nothing matches.
    `whole` and `prefixes` are the words to mark in product names.
    """

    text: str
    match: Match
    corrected: str | None = None
    suggestion: str | None = None
    whole: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()

    def mark(self, name: str) -> SafeString:
        """`name`, escaped, with the words this search matched in <mark>."""
        spans = search_text.marked_spans(name, whole=self.whole, prefixes=self.prefixes)
        return mark_safe(
            "".join(
                format_html("<mark>{}</mark>", piece) if hit else conditional_escape(piece)
                for piece, hit in spans
            )
        )


def _lookup(words: list[str], phrases: list[str]) -> list[tuple[str, int | None, str | None]]:
    """Run the plan statement for `words` (and the two-word `phrases`) on this database."""
    vendor = connection.vendor
    last = len(words)
    now = timezone.now()
    params: dict = {"key": " ".join(words), "now": now}
    if vendor == "postgresql":
        queries = [f"{w}:*" if i == last else w for i, w in enumerate(words, 1)]
        params.update(
            words=words,
            queries=queries,
            bigrams=phrases,
            config=TS_CONFIG,
            candidates=CANDIDATES_PER_WORD,
        )
        sql = PLAN_SQL[vendor]
    else:
        values = []
        for i, w in enumerate(words, 1):
            query = f'"{w}" *' if i == last else f'"{w}"'
            params.update({f"w{i}": w, f"q{i}": query})
            values.append(f"({i}, %(w{i})s, %(q{i})s)")
        bigrams = ""
        for n, phrase in enumerate(phrases):
            params[f"b{n}"] = phrase
            bigrams += f" UNION ALL SELECT %(b{n})s"
        params["now"] = connection.ops.adapt_datetimefield_value(now)
        sql = PLAN_SQL["sqlite"].format(values=", ".join(values), bigrams=bigrams)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(kind, position, text) for kind, position, text in cursor.fetchall()]


def _phrases(text: str, words: list[str]) -> list[tuple[str, list[int]]]:
    """The two-word phrases of `text`, stop words included ("t shirt"), each with the
    positions in `words` of its words that are searched for."""
    raw = search_text.normalise(text).split()
    positions: dict[int, int] = {}
    kept = 0
    for at, word in enumerate(raw):
        if kept < len(words) and word == words[kept]:
            positions[at] = kept
            kept += 1
    return [
        (f"{raw[at]} {raw[at + 1]}", [positions[p] for p in (at, at + 1) if p in positions])
        for at in range(len(raw) - 1)
        if at in positions or at + 1 in positions
    ]


def _resolve(text: str, words: list[str]) -> SearchPlan:
    """Build the plan from one run of the plan statement (see the module docstring)."""
    phrases = _phrases(text, words)
    rows = _lookup(words, [phrase for phrase, _ in phrases])
    known = {position for kind, position, _ in rows if kind == "known"}
    close: dict[int, list[str]] = {}
    for kind, position, word in rows:
        if kind == "close" and position is not None and word:
            close.setdefault(position, []).append(word)
    groups = [word.split(",") for kind, _, word in rows if kind == "synonym" and word]
    pinned = tuple(
        int(pk)
        for _, _, pk in sorted((r for r in rows if r[0] == "pin"), key=lambda r: r[1] or 0)
        if pk
    )

    def synonyms_of(*found: str) -> tuple[str, ...]:
        alternatives = [t for group in groups if set(found) & set(group) for t in group]
        return tuple(dict.fromkeys(t for t in alternatives if t not in found))

    terms: list[Term] = []
    searched: list[str | None] = []  # what each word was searched as (None: nothing)
    offered: list[str | None] = []  # what "did you mean" would say for each word
    for i, word in enumerate(words, 1):
        if i in known:
            prefix = i == len(words)  # the shopper may not have finished typing it
            terms.append(
                Term(
                    words=() if prefix else (word,),
                    prefixes=(word,) if prefix else (),
                    synonyms=synonyms_of(word),
                )
            )
            searched.append(word)
            offered.append(word)
            continue
        # Not in the catalog: what it most likely meant, and the merchandiser's synonyms for
        # it ("pullover" = "sweater") or for what it meant.
        corrections, maybe = search_text.best_corrections(word, close.get(i, []))
        alternatives = synonyms_of(word, *corrections)
        terms.append(Term(words=tuple(corrections), synonyms=alternatives))
        meant = corrections[0] if corrections else word if alternatives else None
        searched.append(meant)
        offered.append(meant or maybe)

    # A phrase the merchandiser made a synonym ("t-shirt" = "tee") is one term, its words
    # matched together.
    merged: set[int] = set()
    for phrase, positions in phrases:
        alternatives = synonyms_of(phrase)
        if alternatives and not merged & set(positions):
            first = positions[0]
            terms[first] = Term(words=(phrase,), synonyms=alternatives)
            for position in positions[1:]:
                terms[position] = Term()  # dropped below
            merged.update(positions)
            searched[first] = offered[first] = phrase
    terms = [t for i, t in enumerate(terms) if t or i not in merged]

    match = Match(terms=tuple(terms), pinned=pinned)
    corrected = None
    if all(searched) and searched != words and not merged:
        corrected = " ".join(w for w in searched if w)
    suggestion = None
    if not all(searched) and all(offered) and offered != words:
        suggestion = " ".join(w for w in offered if w)
    whole = {part for term in terms for w in (*term.words, *term.synonyms) for part in w.split()}
    return SearchPlan(
        text=text,
        match=match,
        corrected=corrected,
        suggestion=suggestion,
        whole=tuple(sorted(whole)),
        prefixes=tuple(p for term in terms for p in term.prefixes),
    )


def interpret(text: str) -> SearchPlan:
    """The plan for the typed `text` (see SearchPlan): one query, none when cached.

    Plans are cached per catalog generation (shop.cache_tokens.CATALOG_COUNTS, which catalog
    changes and the merchandiser's synonyms and pins replace) for
    CATALOG_COUNTS_CACHE_SECONDS, like the facet counts. A text without a searchable word
    (empty, or only stop words) matches nothing and costs no query.
    """
    text = text.strip()
    words = search_text.words(text)
    if not words:
        return SearchPlan(text=text, match=Match(terms=()))
    seconds = settings.CATALOG_COUNTS_CACHE_SECONDS
    if not seconds:
        return _resolve(text, words)
    meaning = hashlib.sha256(search_text.normalise(text).encode()).hexdigest()
    plan = cache_tokens.cached(
        f"search:plan:{CACHE_VERSION}",
        tokens=[cache_tokens.CATALOG_COUNTS],
        parts=(meaning,),
        # Stored without the text: the same plan serves every spelling of it.
        compute=lambda: replace(_resolve(text, words), text=""),
        seconds=seconds,
    )
    return replace(plan, text=text)


# Suggestions as the shopper types ------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedProduct:
    pk: int
    name: str
    url: str
    min_price: Decimal | None
    max_price: Decimal | None
    image: ProductImage | None


@dataclass(frozen=True)
class SuggestedCategory:
    name: str
    url: str


@dataclass(frozen=True)
class Suggestions:
    """The first products matching a search and the categories they are in, with the link to
    every result. `plan` is None when nothing was searched for."""

    text: str
    plan: SearchPlan | None
    products: list[SuggestedProduct] = field(default_factory=list)
    categories: list[SuggestedCategory] = field(default_factory=list)

    @property
    def results_url(self) -> str:
        return reverse("shop:catalog") + "?" + urlencode({"q": self.text})

    @property
    def count(self) -> int:
        return len(self.products) + len(self.categories)


def suggestions(*, text: str, state: StoreState) -> Suggestions:
    """The suggestions for `text`: up to SUGGESTED_PRODUCTS products, ranked as the results
    page ranks them (pinned, then name matches, then in stock, then newest), each with its
    primary picture and price, and up to SUGGESTED_CATEGORIES categories those matches are in
    (each a link to the search within it). At most two queries: the plan (none when cached)
    and the products with their pictures. Products and prices are those of `state` (default:
    the products' own rows, now)."""
    text = text.strip()
    if not search_text.words(text):
        return Suggestions(text=text, plan=None)
    plan = interpret(text)
    if not (plan.match.can_match or plan.match.pinned):
        return Suggestions(text=text, plan=plan)
    in_stock = Exists(Variant.objects.filter(product=OuterRef("pk"), stock__gt=0))
    rows = list(
        Product.objects.published(state)
        .filter(matching(plan.match))
        .alias(picture=FilteredRelation("images", condition=Q(images__is_primary=True)))
        .order_by(*relevance(plan.match), in_stock.desc(), "-created", "-pk")
        .values(
            "pk",
            "name",
            "slug",
            "min_price",
            "max_price",
            "category__name",
            "category__slug",
            "picture__image",
            "picture__alt",
            "picture__width",
            "picture__height",
            "picture__renditions",
        )[: SUGGESTED_PRODUCTS + 3]
    )
    products = [
        SuggestedProduct(
            pk=row["pk"],
            name=row["name"],
            url=reverse("shop:product-detail", kwargs={"slug": row["slug"]}),
            min_price=_range(row, state)[0],
            max_price=_range(row, state)[1],
            image=ProductImage(
                image=row["picture__image"],
                alt=row["picture__alt"],
                width=row["picture__width"],
                height=row["picture__height"],
                renditions=row["picture__renditions"] or {},
            )
            if row["picture__image"]
            else None,
        )
        for row in rows[:SUGGESTED_PRODUCTS]
    ]
    categories: dict[str, SuggestedCategory] = {}
    for row in rows:
        slug = row["category__slug"]
        if slug not in categories and len(categories) < SUGGESTED_CATEGORIES:
            url = reverse("shop:catalog-category", kwargs={"category_slug": slug})
            categories[slug] = SuggestedCategory(
                name=row["category__name"], url=f"{url}?{urlencode({'q': text})}"
            )
    return Suggestions(
        text=text, plan=plan, products=products, categories=list(categories.values())
    )


def _range(row: Mapping, state: StoreState) -> tuple[Decimal | None, Decimal | None]:
    """A suggested product's prices in `state` (a release's, where one changes them)."""
    if row["pk"] in state.effects.price_ranges:
        return state.effects.price_ranges[row["pk"]]
    return row["min_price"], row["max_price"]

"""The published catalog as sets of products, in each process's memory: what a listing filters,
counts and orders by, so a filter state no one asked for before costs no counting query.

A listing page needs the products that match its filters, how many match each facet value and
category with the other filters applied, and the page in the chosen order. Asked of
PostgreSQL, that is two aggregates over the whole catalog for every new filter state (about a
third of a cold page's time at 10,000 products). Here each set is a Python int used as a
bitset: bit i is the product at position i. Filtering is `&`, counting is `int.bit_count()`,
both in C, and a page is the first matching positions in the order's list.

It also holds what each product's card shows (name, address, prices, stock, pictures), so a
listing's page costs no query. The index is built from seven queries (products with their
stock, prices and variants; variant prices; attribute values; card pictures; categories; facet
values; the next scheduled publication) the first time a
process needs it after the catalog changed: it is kept under the `CATALOG_PAGES` generation
token, which every write that changes what a listing shows replaces (shop.cache_invalidation),
and until the next scheduled publication time. 10,000 products take about 0.1 s to index and
2 MB of memory.

Releases (shop.domain.releases) change which products are shown and what they cost, so the index
is of a store state: the live one is also keyed on the `RELEASES` token and the set of releases
in force, and expires at the next release boundary (a start or an end), so a sale's prices,
counts, price sort and cards arrive on the second. A time-travel state gets its own index, built
for its request and never kept: the live one never holds a preview.
"""

import json
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Min, Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse

from partials import memories
from shop import cache_tokens
from shop.models import (
    AttributeValue,
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    Variant,
)
from shop.moment.values import StoreState


class CardSource(NamedTuple):
    """What a product card shows, as the index read it (see queries.catalog.ProductCard)."""

    pk: int
    name: str
    url: str
    category_name: str
    min_price: Decimal | None
    max_price: Decimal | None
    stock_total: int
    single_variant_id: int | None
    images: tuple[tuple, ...]  # the primary image first, then those of one option value


@dataclass
class CatalogIndex:
    """Bitsets over the published products. Position i is `ids[i]`; positions follow the
    products' lowest prices (then ids), so "priced up to X" is just the lowest bits."""

    token: str  # the catalog's and the releases' tokens, and the releases in force
    expires_at: datetime | None  # when a product scheduled for later is published, or a release
    # starts or ends
    ids: list[int]
    position: dict[int, int]
    everything: int
    in_stock: int
    by_category: dict[int, int]
    by_value: dict[int, int]
    min_price: list[Decimal | None]
    max_price: list[Decimal | None]
    variant_prices: list[tuple[Decimal, int]]  # distinct (price, position) pairs, by price
    lowest_prices: list[Decimal]  # min_price by position, the priced ones (ascending)
    orders: dict[str, list[int]]  # sort name → positions in that order
    places: dict[str, list[int]]  # sort name → each position's place in that order
    stocked: list[bool]  # by position: any stock
    categories: list[Category]
    facet_values: list[AttributeValue]  # with `definition`, in facet order
    cards: list[CardSource]  # by position
    category_urls: dict[int, str]  # category id → its catalog page
    _images: dict[int, ProductImage] = field(default_factory=dict, repr=False)
    # Cards made from this index (queries.catalog keeps them here: they change with it).
    cards_made: dict[tuple, Any] = field(default_factory=dict, repr=False)

    def card_source(self, pk: int) -> CardSource:
        return self.cards[self.position[pk]]

    def image(self, fields: tuple) -> ProductImage:
        """The ProductImage of a card's image fields (made once per index, then shared)."""
        found = self._images.get(fields[0])
        if found is None:
            pk, product_id, name, alt, width, height, renditions, options, primary = fields
            found = ProductImage(
                pk=pk, product_id=product_id, image=name, alt=alt, width=width, height=height,
                renditions=json.loads(renditions or "{}"), options=json.loads(options or "{}"),
                is_primary=primary,
            )  # fmt: skip
            self._images[pk] = found
        return found

    def bits(self, positions) -> int:
        """The set of `positions` as a bitset."""
        flags = bytearray(b"0" * len(self.ids))
        for index in positions:
            flags[index] = 49  # "1"
        flags.reverse()
        return int(flags, 2) if flags else 0

    def of_products(self, product_ids) -> int:
        position = self.position
        return self.bits(position[pk] for pk in product_ids if pk in position)

    def priced(self, low: Decimal | None, high: Decimal | None) -> int:
        """Products with a variant priced within [low, high]: with no `low`, the products whose
        lowest price is at most `high` (the lowest bits); otherwise the variants in range."""
        if low is None:
            if high is None:
                return self.everything
            return (1 << bisect_right(self.lowest_prices, high)) - 1
        start = bisect_left(self.variant_prices, (low, -1))
        stop = (
            bisect_right(self.variant_prices, (high, len(self.ids)))
            if high is not None
            else len(self.variant_prices)
        )
        return self.bits(index for _price, index in self.variant_prices[start:stop])

    def ordered(self, found: int, sort: str, offset: int, limit: int) -> list[int]:
        """Product ids of `found` in `sort` order, `limit` of them after the first `offset`."""
        flags = bin(found)[:1:-1]  # flags[i] == "1": position i is in the set
        size = len(flags)
        picked: list[int] = []
        skip = offset
        for index in self.orders.get(sort, self.orders["newest"]):
            if index < size and flags[index] == "1":
                if skip:
                    skip -= 1
                    continue
                picked.append(self.ids[index])
                if len(picked) == limit:
                    break
        return picked

    def ranked(
        self, found: int, ranks: dict[int, tuple], sort: str, offset: int, limit: int
    ) -> list[int]:
        """Product ids of `found` (all in `ranks`) by rank, then in stock first, then `sort`."""
        flags = bin(found)[:1:-1]
        size = len(flags)
        place = self.places.get(sort, self.places["newest"])
        members = [
            index
            for pk in ranks
            if (index := self.position.get(pk)) is not None and index < size and flags[index] == "1"
        ]
        members.sort(key=lambda i: (ranks[self.ids[i]], not self.stocked[i], place[i]))
        return [self.ids[i] for i in members[offset : offset + limit]]

    def price_range(self, found: int) -> tuple[Decimal | None, Decimal | None]:
        """The lowest `min_price` and the highest `max_price` among `found`."""
        if not found:
            return None, None
        flags = bin(found)[:1:-1]
        size = len(flags)
        low = next(
            (self.min_price[i] for i in self.orders["price"] if i < size and flags[i] == "1"),
            None,
        )
        high = next(
            (self.max_price[i] for i in self.orders["max-price"] if i < size and flags[i] == "1"),
            None,
        )
        return low, high


PRODUCT_FIELDS = ("pk", "category_id", "created", "name", "slug")
PICTURE_FIELDS = (
    "pk", "product_id", "image", "alt", "width", "height", "renditions_text", "options_text",
    "is_primary",
)  # fmt: skip

_current: CatalogIndex | None = None
_building = threading.Lock()


def current(*, state: StoreState) -> CatalogIndex:
    """The index for the store in `state`: this process's copy
    when the catalog, the releases and the releases in force are the same and it has not
    expired, else built afresh. A time-travel state's index is built for it and not kept."""
    global _current
    if state.time_travel:
        return build("time-travel", state)
    token = "|".join(
        (
            cache_tokens.current(cache_tokens.CATALOG_PAGES),
            cache_tokens.current(cache_tokens.RELEASES),
            state.key,
        )
    )
    found = _current
    now = state.at
    if found is None or found.token != token or (found.expires_at and found.expires_at <= now):
        with _building:  # one build at a time per process; the others use the new one
            found = _current
            if (
                found is None
                or found.token != token
                or (found.expires_at and found.expires_at <= now)
            ):
                found = _current = build(token, state)
    return found


def forget() -> None:
    """Drop this process's index (tests, whose databases come and go, call it)."""
    global _current
    _current = None


memories.register("catalog index", forget)


def build(token: str, state: StoreState) -> CatalogIndex:
    """Read the products shown in `state`, priced as there, into a new index (seven plain
    queries; no per-row subquery: the variants' prices and totals are taken here)."""
    published = Product.objects.published(state)
    variants = list(
        Variant.objects.filter(product_id__in=published.values("pk"))
        .order_by()
        .values_list("product_id", "pk", "price", "stock")
    )
    rows = _rows_by_price(published, variants, state)
    ids = [row[0] for row in rows]
    position = {pk: index for index, pk in enumerate(ids)}
    size = len(ids)
    totals = _variant_totals(variants, position, state)
    attribute_pairs = (
        ProductAttribute.objects.filter(product_id__in=published.values("pk"))
        .order_by()
        .values_list("value_id", "product_id")
    )
    orders = _sort_orders(rows, totals.stock)
    pictures = _card_pictures(published)
    categories = list(Category.objects.all())
    scheduled = Product.objects.filter(
        status=Product.Status.PUBLISHED, published_at__gt=state.at
    ).aggregate(next=Min("published_at"))["next"]
    return CatalogIndex(
        token=token,
        expires_at=min((t for t in (scheduled, state.until) if t is not None), default=None),
        ids=ids,
        position=position,
        everything=(1 << size) - 1,
        in_stock=_bits((i for i in range(size) if totals.stock[i] > 0), size),
        by_category=_collect(((row[1], index) for index, row in enumerate(rows)), size),
        by_value=_collect(
            ((value, position[pk]) for value, pk in attribute_pairs if pk in position), size
        ),
        min_price=[row[2] for row in rows],
        max_price=[row[3] for row in rows],
        variant_prices=sorted(totals.prices),
        lowest_prices=[row[2] for row in rows if row[2] is not None],
        orders=orders,
        places={name: _places(order) for name, order in orders.items()},
        stocked=[units > 0 for units in totals.stock],
        categories=categories,
        category_urls={c.pk: c.get_absolute_url() for c in categories},
        cards=_card_sources(rows, totals, pictures, {c.pk: c.name for c in categories}),
        facet_values=list(
            AttributeValue.objects.filter(definition__is_facet=True)
            .select_related("definition")
            .order_by("definition__position", "definition__name", "position", "label")
        ),
    )


def _rows_by_price(published, variants, state: StoreState) -> list[tuple]:
    """(pk, category, min price, max price, created, name, slug) of each product shown, by its
    lowest price in `state` (a release's, else its own) then id: so "price" order and "priced
    up to X" need no sorting per request."""
    lows: dict[int, Decimal] = {}
    highs: dict[int, Decimal] = {}
    for product_id, pk, own_price, _units in variants:
        price = state.price_of(pk, own_price)
        if product_id not in lows or price < lows[product_id]:
            lows[product_id] = price
        if product_id not in highs or price > highs[product_id]:
            highs[product_id] = price
    products = published.order_by().values_list(*PRODUCT_FIELDS)
    return sorted(
        (
            (pk, category, lows.get(pk), highs.get(pk), created, name, slug)
            for pk, category, created, name, slug in products
        ),
        key=lambda row: (row[2] is None, row[2] or 0, row[0]),
    )


@dataclass(frozen=True)
class _VariantTotals:
    """Per position: units in stock, how many variants, the lowest variant id; and every
    (price in the state, position) pair, for the price filter."""

    stock: list[int]
    count: list[int]
    first: list[int | None]
    prices: set[tuple[Decimal, int]]


def _variant_totals(variants, position: dict[int, int], state: StoreState) -> _VariantTotals:
    size = len(position)
    totals = _VariantTotals(stock=[0] * size, count=[0] * size, first=[None] * size, prices=set())
    for product_id, pk, own_price, units in variants:
        index = position.get(product_id)
        if index is None:
            continue
        totals.stock[index] += max(units, 0)
        totals.count[index] += 1
        first = totals.first[index]
        totals.first[index] = pk if first is None or pk < first else first
        totals.prices.add((state.price_of(pk, own_price), index))
    return totals


def _collect(pairs, size: int) -> dict[int, int]:
    """{key: bitset of the positions paired with it} from (key, position) pairs."""
    grouped: dict[int, list[int]] = {}
    for key, index in pairs:
        grouped.setdefault(key, []).append(index)
    return {key: _bits(positions, size) for key, positions in grouped.items()}


def _bits(positions, size: int) -> int:
    """The bitset of `positions` (bit i is position i), made as text: one int() for them all."""
    flags = bytearray(b"0" * size)
    for index in positions:
        flags[index] = 49  # "1"
    flags.reverse()
    return int(flags, 2) if flags else 0


def _sort_orders(rows: list[tuple], stock: list[int]) -> dict[str, list[int]]:
    """Each sort's order of positions (newest puts sold-out products last)."""
    size = len(rows)
    no_price = Decimal("Infinity")
    return {
        "newest": sorted(
            range(size), key=lambda i: (stock[i] <= 0, -rows[i][4].timestamp(), -rows[i][0])
        ),
        "price": list(range(size)),  # positions are in price order already
        "-price": sorted(
            range(size),
            key=lambda i: (rows[i][2] is None, -(rows[i][2] or 0), -rows[i][0]),
        ),
        "name": sorted(range(size), key=lambda i: (rows[i][5], rows[i][0])),
        "max-price": sorted(range(size), key=lambda i: -(rows[i][3] or -no_price)),
    }


def _card_pictures(published) -> dict[int, list[tuple]]:
    """A card's pictures: the primary one, and the first of each option value (a red front)
    that a listing filtered by that value shows instead. JSON stays text until a card shows
    it."""
    pictures: dict[int, list[tuple]] = {}
    seen: set[tuple[int, str]] = set()
    for picture in (
        ProductImage.objects.filter(product_id__in=published.values("pk"))
        .filter(Q(is_primary=True) | ~Q(options={}))
        .annotate(renditions_text=Cast("renditions", TextField()))
        .annotate(options_text=Cast("options", TextField()))
        .order_by("-is_primary", "position", "pk")
        .values_list(*PICTURE_FIELDS)
    ):
        key = (picture[1], "" if picture[8] else picture[7])
        if key not in seen:
            seen.add(key)
            pictures.setdefault(picture[1], []).append(picture)
    return pictures


def _card_sources(rows, totals: _VariantTotals, pictures, category_names) -> list[CardSource]:
    """What each product's card shows, by position."""
    url = reverse("shop:product-detail", kwargs={"slug": "-"})
    return [
        CardSource(
            pk=row[0],
            name=row[5],
            url=url.replace("/-/", f"/{row[6]}/"),
            category_name=category_names.get(row[1], ""),
            min_price=row[2],
            max_price=row[3],
            stock_total=totals.stock[index],
            single_variant_id=totals.first[index] if totals.count[index] == 1 else None,
            images=tuple(pictures.get(row[0], ())),
        )
        for index, row in enumerate(rows)
    ]


def _places(order: list[int]) -> list[int]:
    places = [0] * len(order)
    for place, index in enumerate(order):
        places[index] = place
    return places

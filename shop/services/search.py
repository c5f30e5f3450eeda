"""Search writes: keeping product search documents current, and the zero-result report.

`refresh_documents` is one INSERT … SELECT … ON CONFLICT statement on either backend; the
database then derives its index from the rows (see shop/models/search.py). shop.receivers
calls it after a product, variant, product attribute, category or attribute value is saved
or deleted; bulk writes that send no signals (seed_demo) call it themselves.
"""

import logging

from django.db import DatabaseError, connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from shop.domain import search as search_text
from shop.models import Product, ZeroResultSearch

logger = logging.getLogger(__name__)

# The texts of a product's document (name; category path, attribute values; description,
# variant names and SKUs). SKUs are split at their separators ("SF 000002 1"), as a typed SKU
# is, since PostgreSQL's parser reads "-000002" as a signed number. AGGREGATE is string_agg on
# PostgreSQL, group_concat on SQLite.
# Categories nest at most three deep (shop.models.catalog.MAX_CATEGORY_DEPTH).
REFRESH_SQL = """
INSERT INTO shop_searchdocument (product_id, name, facets, body)
SELECT p.id, p.name,
    c.name || ' ' || COALESCE(c1.name, '') || ' ' || COALESCE(c2.name, '') || ' ' || COALESCE(
        (SELECT AGGREGATE(v.label, ' ') FROM shop_productattribute pa
         JOIN shop_attributevalue v ON v.id = pa.value_id WHERE pa.product_id = p.id), ''),
    p.description || ' ' || COALESCE(
        (SELECT AGGREGATE(x.name || ' ' || replace(replace(replace(x.sku, '-', ' '), '_', ' '),
                                                      '/', ' '), ' ') FROM shop_variant x
         WHERE x.product_id = p.id), '')
FROM shop_product p
JOIN shop_category c ON c.id = p.category_id
LEFT JOIN shop_category c1 ON c1.id = c.parent_id
LEFT JOIN shop_category c2 ON c2.id = c1.parent_id
WHERE SELECTION
ON CONFLICT (product_id) DO UPDATE SET
    name = excluded.name, facets = excluded.facets, body = excluded.body
WHERE shop_searchdocument.name <> excluded.name OR shop_searchdocument.facets <> excluded.facets
    OR shop_searchdocument.body <> excluded.body
"""
AGGREGATES = {"postgresql": "string_agg", "sqlite": "group_concat"}
# One row per normalised text: a count and the last time, nothing about who searched.
ZERO_RESULTS_SQL = """
INSERT INTO shop_zeroresultsearch (query, count, first_seen, last_seen) VALUES (%s, 1, %s, %s)
ON CONFLICT (query) DO UPDATE SET
    count = shop_zeroresultsearch.count + 1, last_seen = excluded.last_seen
"""


def refresh_documents(*, products: QuerySet[Product] | None = None, using: str = "default") -> None:
    """Write the search documents of `products` (every product when None) from their rows.

    One statement, in the caller's transaction. Documents that would not change are left
    alone, so refreshing everything after a bulk seed rewrites only what is new.
    """
    connection = connections[using]
    sql = REFRESH_SQL.replace("AGGREGATE", AGGREGATES[connection.vendor])
    params: tuple = ()
    if products is None:
        sql = sql.replace("SELECTION", "1 = 1")
    else:
        selection, params = products.using(using).values("pk").query.sql_with_params()
        sql = sql.replace("SELECTION", f"p.id IN ({selection})")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record_zero_results(*, text: str) -> None:
    """Count one search for `text` that found nothing (its normalised text, how often, when
    last), for the admin's report. One upsert; a failure is logged, never raised, so a search
    page never fails because the report could not be written."""
    query = search_text.normalise(text)[:100]
    if not query:
        return
    now = timezone.now()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(ZERO_RESULTS_SQL, (query, now, now))
    except DatabaseError:
        logger.warning("Could not record a search that found nothing.", exc_info=True)


def forget_zero_results(*, queries: list[str]) -> int:
    """Take `queries` off the zero-result report (a synonym now finds them); return how many
    rows went."""
    normalised = [search_text.normalise(q)[:100] for q in queries]
    return ZeroResultSearch.objects.filter(query__in=normalised).delete()[0]

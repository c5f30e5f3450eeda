"""Search (issue 13): product search documents, synonyms, pinned results, the zero-result report.

The models are plain tables on every backend. What the database derives from SearchDocument is
made per backend and skipped on the other (see shop/models/search.py):

- PostgreSQL: the unaccent and pg_trgm extensions, the text search configuration
  `shop_search` (English stemming after unaccent), the weighted `document` tsvector column with
  its GIN index and the trigger that computes it, and the vocabulary `shop_searchword` (pg_trgm
  GiST index) that statement triggers fill with the words of names and facets.
- SQLite: FTS5 tables `shop_search_fts` (Porter stemming) and `shop_search_words` (unstemmed,
  read through the fts5vocab table `shop_search_words_vocab`) over SearchDocument's rows, kept
  by triggers.

Both extensions are "trusted" since PostgreSQL 13: a database owner may create them without
being a superuser. The last operation fills the documents of existing products.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models



POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TEXT SEARCH CONFIGURATION shop_search (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION shop_search"
    " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "ALTER TABLE shop_searchdocument ADD COLUMN document tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX shop_searchdocument_document ON shop_searchdocument USING gin (document)",
    """
    CREATE FUNCTION shop_searchdocument_vector() RETURNS trigger AS $$
    BEGIN
        NEW.document :=
            setweight(to_tsvector('shop_search', NEW.name), 'A')
            || setweight(to_tsvector('shop_search', NEW.facets), 'B')
            || setweight(to_tsvector('shop_search', NEW.body), 'C');
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER shop_searchdocument_vector
        BEFORE INSERT OR UPDATE OF name, facets, body ON shop_searchdocument
        FOR EACH ROW EXECUTE FUNCTION shop_searchdocument_vector()
    """,
    "CREATE TABLE shop_searchword (word text PRIMARY KEY)",
    "CREATE INDEX shop_searchword_trigrams ON shop_searchword USING gist (word gist_trgm_ops)",
    # Words of names and facets that are not stop words. Never deleted here: a word whose
    # products are gone is only a candidate, which a search checks against live documents.
    """
    CREATE FUNCTION shop_searchword_collect() RETURNS trigger AS $$
    BEGIN
        INSERT INTO shop_searchword (word)
        SELECT DISTINCT w
        FROM changed,
            regexp_split_to_table(lower(unaccent(changed.name || ' ' || changed.facets)),
                                  '[^a-z0-9]+') AS w
        WHERE length(w) BETWEEN 2 AND 40 AND to_tsvector('shop_search', w) <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER shop_searchword_inserted AFTER INSERT ON shop_searchdocument
        REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION shop_searchword_collect()
    """,
    """
    CREATE TRIGGER shop_searchword_updated AFTER UPDATE ON shop_searchdocument
        REFERENCING NEW TABLE AS changed
        FOR EACH STATEMENT EXECUTE FUNCTION shop_searchword_collect()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TABLE IF EXISTS shop_searchword",
    "DROP TRIGGER IF EXISTS shop_searchword_inserted ON shop_searchdocument",
    "DROP TRIGGER IF EXISTS shop_searchword_updated ON shop_searchdocument",
    "DROP TRIGGER IF EXISTS shop_searchdocument_vector ON shop_searchdocument",
    "DROP FUNCTION IF EXISTS shop_searchword_collect()",
    "DROP FUNCTION IF EXISTS shop_searchdocument_vector()",
    "ALTER TABLE shop_searchdocument DROP COLUMN IF EXISTS document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS shop_search",
]

_FTS_OLD = """
    INSERT INTO shop_search_fts (shop_search_fts, rowid, name, facets, body)
        VALUES ('delete', old.product_id, old.name, old.facets, old.body);
    INSERT INTO shop_search_words (shop_search_words, rowid, name, facets)
        VALUES ('delete', old.product_id, old.name, old.facets);
"""
_FTS_NEW = """
    INSERT INTO shop_search_fts (rowid, name, facets, body)
        VALUES (new.product_id, new.name, new.facets, new.body);
    INSERT INTO shop_search_words (rowid, name, facets)
        VALUES (new.product_id, new.name, new.facets);
"""
SQLITE = [
    "CREATE VIRTUAL TABLE shop_search_fts USING fts5(name, facets, body,"
    " content='shop_searchdocument', content_rowid='product_id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE shop_search_words USING fts5(name, facets,"
    " content='shop_searchdocument', content_rowid='product_id',"
    " tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE shop_search_words_vocab USING fts5vocab(shop_search_words, 'row')",
    f"CREATE TRIGGER shop_searchdocument_inserted AFTER INSERT ON shop_searchdocument"
    f" BEGIN {_FTS_NEW} END",
    f"CREATE TRIGGER shop_searchdocument_deleted AFTER DELETE ON shop_searchdocument"
    f" BEGIN {_FTS_OLD} END",
    f"CREATE TRIGGER shop_searchdocument_updated AFTER UPDATE ON shop_searchdocument"
    f" BEGIN {_FTS_OLD} {_FTS_NEW} END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS shop_searchdocument_inserted",
    "DROP TRIGGER IF EXISTS shop_searchdocument_deleted",
    "DROP TRIGGER IF EXISTS shop_searchdocument_updated",
    "DROP TABLE IF EXISTS shop_search_words_vocab",
    "DROP TABLE IF EXISTS shop_search_words",
    "DROP TABLE IF EXISTS shop_search_fts",
]


def _run(schema_editor, statements: list[str]) -> None:
    # A plain cursor with no parameters: the % in the SQL is not a placeholder.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_REVERSE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REVERSE)


# The documents of the products that exist already: shop.services.search.REFRESH_SQL as it was
# when this migration was written (a migration is history, so it keeps its own copy).
FILL = """
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
WHERE 1 = 1
"""


def fill_documents(apps, schema_editor):
    aggregate = {"postgresql": "string_agg", "sqlite": "group_concat"}
    vendor = schema_editor.connection.vendor
    if vendor in aggregate:
        _run(schema_editor, [FILL.replace("AGGREGATE", aggregate[vendor])])


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0012_cart_line_request_once'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('product', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='shop.product')),
                ('name', models.TextField()),
                ('facets', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
            ],
        ),
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.CharField(help_text='Two or more words or phrases that mean the same, separated by commas: jumper, sweater, pullover', max_length=300, unique=True)),
                ('created', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                'ordering': ['terms'],
            },
        ),
        migrations.CreateModel(
            name='ZeroResultSearch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(max_length=100, unique=True)),
                ('count', models.PositiveIntegerField(default=1)),
                ('first_seen', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_seen', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name': 'search that found nothing',
                'verbose_name_plural': 'searches that found nothing',
                'ordering': ['-last_seen'],
            },
        ),
        migrations.CreateModel(
            name='SearchPin',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(help_text='The search, as a shopper types it (case and accents ignored).', max_length=100)),
                ('position', models.PositiveIntegerField(default=0, help_text='Lower comes first.')),
                ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_pins', to='shop.product')),
            ],
            options={
                'ordering': ['query', 'position', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('query', 'product'), name='search_pin_once')],
            },
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
    ]

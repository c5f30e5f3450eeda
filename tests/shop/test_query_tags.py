"""The catalog's links keep the shopper's query: the tags that edit it read it as QueryDict does."""

import pytest
from django.http import QueryDict

from shop.templatetags.shop_tags import query_with, query_without

QUERIES = [
    "",
    "colour=red&in_stock=1&colour=blue&page=3",
    "q=caf%C3%A9+au+lait&sort=-price&q=two&max_price=10.50&page=",
    "a=1&b=&a=&c=%26%3D%2B",
]


def querydict_with(base: str, **params) -> str:
    query = QueryDict(base, mutable=True)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


def querydict_without(base: str, key: str, value: str | None = None) -> str:
    query = QueryDict(base, mutable=True)
    query.setlist(key, [v for v in query.getlist(key) if value is not None and v != value])
    query.pop("page", None)
    return query.urlencode()


@pytest.mark.parametrize("base", QUERIES)
def test_query_with_and_without_give_querydicts_answers(base):
    assert query_with({}, base, page=2) == querydict_with(base, page=2)
    assert query_with({}, base, q="tea & cake") == querydict_with(base, q="tea & cake")
    for key, value in [("colour", None), ("colour", "red"), ("q", "two"), ("a", ""), ("x", None)]:
        assert query_without(base, key, value) == querydict_without(base, key, value)


def test_a_chip_drops_one_value_and_the_page():
    assert query_without("colour=red&page=2&colour=blue&sort=name", "colour", "red") == (
        "colour=blue&sort=name"
    )

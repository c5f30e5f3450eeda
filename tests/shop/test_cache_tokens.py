"""shop.cache_tokens.cached: the one way read models keep what they read in the cache."""

import pytest
from django.core.cache import cache

from shop import cache_tokens

pytestmark = pytest.mark.django_db


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"made": self.calls}


def test_a_value_is_computed_once_per_token_and_again_once_a_token_is_replaced():
    compute = Counter()

    def read(part="a"):
        return cache_tokens.cached(
            "test:thing:v1",
            tokens=[cache_tokens.CATALOG_PAGES, cache_tokens.RELEASES],
            parts=(part,),
            compute=compute,
            seconds=60,
        )

    assert read() == read() == {"made": 1}
    assert read("b") == {"made": 2}  # another part is another entry
    cache_tokens.replace(cache_tokens.RELEASES)
    assert read() == {"made": 3}
    assert read() == {"made": 3}
    assert compute.calls == 3


def test_a_value_of_another_shape_is_computed_again_and_stored():
    compute = Counter()
    kwargs = {
        "tokens": [cache_tokens.FOOTER_PAGES],
        "compute": compute,
        "seconds": None,
        "valid": lambda value: isinstance(value, dict),
    }
    name = f"test:shape:v1:{cache_tokens.current(cache_tokens.FOOTER_PAGES)}"
    cache.set(name, ["written by older code"])
    assert cache_tokens.cached("test:shape:v1", **kwargs) == {"made": 1}
    assert cache.get(name) == {"made": 1}
    assert cache_tokens.cached("test:shape:v1", **kwargs) == {"made": 1}

"""shop/services/throttle.py: the limits hold with a healthy cache, and a cache that is away,
hands back `None` or garbage, or restarts between calls never turns into an error page."""

import logging
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client

from shop.services import throttle
from tests.factories import CouponFactory, make_product

pytestmark = pytest.mark.django_db

LIMIT = {"scope": "test", "keys": ["session:a", "ip:192.0.2.1"], "limit": 3, "window": 60}


def fail(**limit) -> None:
    throttle.record_failure(scope=limit["scope"], keys=limit["keys"], window=limit["window"])


def blocked(**limit) -> bool:
    try:
        throttle.check(**limit)
    except throttle.Blocked:
        return True
    return False


class RaisingCache:
    """Every call fails, as the cache does when Redis is away and its errors are not ignored."""

    def __getattr__(self, name: str):
        def unreachable(*args, **kwargs):
            raise ConnectionError("Redis is away")

        return unreachable


class NoneCache:
    """Every call answers None, counters included."""

    def get_many(self, keys, *args, **kwargs):
        return dict.fromkeys(keys)

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


class RestartedCache:
    """A working cache that `restart()` empties (Redis restarted between two requests); with
    `between_add_and_incr` it also empties between add() and incr(), the narrowest race."""

    def __init__(self, *, between_add_and_incr: bool = False):
        self._cache = LocMemCache("restarted-throttle", {})
        self._between = between_add_and_incr

    def restart(self) -> None:
        self._cache.clear()

    def incr(self, *args, **kwargs):
        if self._between:
            self.restart()
        return self._cache.incr(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._cache, name)


def test_a_healthy_cache_blocks_at_the_limit_and_forgets_on_reset():
    def only(key: str) -> dict:
        return {**LIMIT, "keys": [key]}

    for _ in range(2):
        fail(**LIMIT)
    assert not blocked(**LIMIT)
    fail(**LIMIT)
    assert blocked(**LIMIT)
    assert blocked(**only("session:a")) and blocked(**only("ip:192.0.2.1"))
    assert not blocked(**only("session:b"))
    throttle.reset(scope="test", keys=["session:a"])
    assert not blocked(**only("session:a"))
    assert blocked(**only("ip:192.0.2.1"))


@pytest.mark.parametrize("garbage", [None, "lots", "7", b"7", 7.5, [3], {"n": 9}])
def test_a_counter_that_is_not_an_integer_counts_as_zero_and_starts_again(garbage):
    name = "throttle:test:session:a"
    cache.set(name, garbage, timeout=60)
    assert not blocked(**{**LIMIT, "limit": 1})
    fail(**LIMIT)
    assert cache.get(name) == 1  # replaced by a counter, not added to
    assert blocked(**{**LIMIT, "limit": 1})


@pytest.mark.parametrize(
    "broken", [RaisingCache, NoneCache, RestartedCache], ids=["raises", "none", "restarted"]
)
def test_a_broken_cache_never_raises_and_never_blocks(monkeypatch, broken, caplog):
    monkeypatch.setattr(throttle, "cache", broken())
    with caplog.at_level(logging.WARNING, logger="shop.services.throttle"):
        for _ in range(5):
            assert not blocked(**LIMIT)
            fail(**LIMIT)
            if broken is RestartedCache:
                throttle.cache.restart()
        throttle.reset(scope="test", keys=LIMIT["keys"])
    if broken is RaisingCache:
        logged = {record.getMessage() for record in caplog.records}
        assert logged == {
            "Could not read the test failure counters",
            "Could not count a test failure",
            "Could not reset the test failure counters",
        }


def test_a_cache_restarted_between_add_and_incr_still_counts(monkeypatch):
    monkeypatch.setattr(throttle, "cache", RestartedCache(between_add_and_incr=True))
    one_key = {**LIMIT, "keys": ["session:a"], "limit": 1}
    fail(**one_key)
    fail(**one_key)  # add() finds the key, incr() does not: the failure is counted afresh
    assert blocked(**one_key)


# Through the views: each broken cache gives the answer a healthy one would, never a 500.

BROKEN = [RaisingCache, NoneCache, RestartedCache]
BROKEN_IDS = ["raises", "none", "restarted"]
PASSWORD = "correct horse battery staple"


def restart() -> None:
    if isinstance(throttle.cache, RestartedCache):
        throttle.cache.restart()


@pytest.mark.parametrize("broken", BROKEN, ids=BROKEN_IDS)
def test_log_in_answers_normally_with_a_broken_cache(monkeypatch, broken):
    get_user_model().objects.create_user(
        username="ada@example.com", email="ada@example.com", password=PASSWORD
    )
    monkeypatch.setattr(throttle, "cache", broken())
    client = Client()
    for _ in range(3):
        wrong = client.post("/account/login/", {"email": "ada@example.com", "password": "nope"})
        assert wrong.status_code == 400
        assert "The e-mail address or password is not right." in wrong.content.decode()
        restart()
    right = client.post("/account/login/", {"email": "ada@example.com", "password": PASSWORD})
    assert right.status_code == 303 and right["Location"] == "/account/"


@pytest.mark.parametrize("broken", BROKEN, ids=BROKEN_IDS)
def test_a_coupon_answers_normally_with_a_broken_cache(monkeypatch, broken):
    CouponFactory(code="WELCOME10", value=Decimal("10"))
    shirt = make_product(name="Linen Shirt", prices=("20.00",), stocks=[5])
    client = Client()
    client.post("/cart/add/", {"variant": shirt.variants.get().pk, "quantity": "1"})
    monkeypatch.setattr(throttle, "cache", broken())
    for attempt in range(3):
        wrong = client.post("/cart/coupon/", {"code": f"GUESS{attempt}"})
        assert wrong.status_code == 400
        assert f"There is no coupon GUESS{attempt}." in wrong.content.decode()
        restart()
    right = client.post("/cart/coupon/", {"code": "WELCOME10"}, headers={"HX-Request": "true"})
    assert right.status_code == 200
    assert "Coupon WELCOME10 applied: 10% off." in right.content.decode()

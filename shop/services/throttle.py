"""Counting failures per key in the cache, to slow down guessing (coupon codes, passwords).

A key is blocked once it has `limit` failures inside a fixed window of `window` seconds. The
counters live in the cache (Redis in production: atomic increments shared by every worker).

The cache is not the truth of anything here, and it may be away, restarting or handing back
odd values: a counter that is missing, `None`, not an integer, or that cannot be read (the
cache raises) counts as zero, and counting or forgetting failures never raises (a fault is
logged as a warning). So while Redis is down or comes back the limits start again from zero,
and a shopper gets a normal answer, never an error page.
"""

import logging
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Blocked(Exception):
    """Too many failures; `retry_after` is in seconds."""

    retry_after: int

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return (
            f"Too many attempts. Please try again in {minutes} minute{'s' if minutes > 1 else ''}."
        )


def _cache_key(scope: str, key: str) -> str:
    return f"throttle:{scope}:{key}"


def _failures(value: object) -> int:
    """A counter as the cache handed it back: anything but an integer counts as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check(*, scope: str, keys: list[str], limit: int, window: int) -> None:
    """Raise Blocked if any of `keys` already has `limit` failures in this window.

    Counters the cache cannot give back count as zero (see the module docstring)."""
    names = [_cache_key(scope, k) for k in keys if k]
    try:
        counts = list(dict(cache.get_many(names) or {}).values())
    except Exception:  # Any cache fault: the limits start again from zero.
        logger.warning("Could not read the %s failure counters", scope, exc_info=True)
        return
    if any(_failures(count) >= limit for count in counts):
        raise Blocked(retry_after=window)


def _count_one(name: str, window: int) -> None:
    # add() only sets a missing key, so the window is not extended by later failures.
    if cache.add(name, 1, timeout=window):
        return
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add() and incr()
        cache.add(name, 1, timeout=window)
        return
    except TypeError:  # the key holds something that cannot be added to
        count = None
    if not _failures(count):  # not a counter, even after incr() (7.5 + 1): start one
        cache.set(name, 1, timeout=window)


def record_failure(*, scope: str, keys: list[str], window: int) -> None:
    """Count one failure against each of `keys` (the window starts at a key's first failure).

    Never raises: a failure the cache could not count is logged and forgotten."""
    for key in keys:
        if not key:
            continue
        try:
            _count_one(_cache_key(scope, key), window)
        except Exception:
            # Not the key: it may hold a customer's e-mail address.
            logger.warning("Could not count a %s failure", scope, exc_info=True)


def reset(*, scope: str, keys: list[str]) -> None:
    """Forget the failures of `keys` (after a success that proves the key is legitimate).

    Never raises: if the cache cannot forget them, they expire with their window."""
    try:
        cache.delete_many([_cache_key(scope, k) for k in keys if k])
    except Exception:
        logger.warning("Could not reset the %s failure counters", scope, exc_info=True)

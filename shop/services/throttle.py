"""Counting failures per key in the cache, to slow down guessing (coupon codes, passwords).

A key is blocked once it has `limit` failures inside a fixed window of `window` seconds. The
counters live in the cache (Redis in production: atomic increments shared by every worker).
"""

from dataclasses import dataclass

from django.core.cache import cache


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


def check(*, scope: str, keys: list[str], limit: int, window: int) -> None:
    """Raise Blocked if any of `keys` already has `limit` failures in this window."""
    counts = cache.get_many([_cache_key(scope, k) for k in keys if k])
    if any(count >= limit for count in counts.values()):
        raise Blocked(retry_after=window)


def record_failure(*, scope: str, keys: list[str], window: int) -> None:
    """Count one failure against each of `keys` (the window starts at a key's first failure)."""
    for key in keys:
        if not key:
            continue
        name = _cache_key(scope, key)
        # add() only sets a missing key, so the window is not extended by later failures.
        if not cache.add(name, 1, timeout=window):
            try:
                cache.incr(name)
            except ValueError:  # expired between add() and incr()
                cache.add(name, 1, timeout=window)


def reset(*, scope: str, keys: list[str]) -> None:
    """Forget the failures of `keys` (after a success that proves the key is legitimate)."""
    cache.delete_many([_cache_key(scope, k) for k in keys if k])

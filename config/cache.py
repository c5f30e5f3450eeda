"""The Redis cache backend: a Redis fault is a cache miss, never a wait.

`CircuitBreakerRedisCache` is django-redis's `RedisCache` with an in-process circuit breaker in
front of Redis. Contract:

- While Redis answers, it behaves exactly like `RedisCache`.
- When an operation fails for want of Redis (refused, reset, or no answer within the socket
  timeout), the breaker opens: for the next `CIRCUIT_BREAKER_SECONDS` (an OPTIONS key) every
  operation of every thread of this process skips Redis at once. With `IGNORE_EXCEPTIONS` that
  is a miss (`get` gives the default, `get_many` gives `{}`, writes do nothing); without it,
  `CircuitOpen` is raised.
- After that, one operation at a time probes Redis: success closes the breaker, failure keeps it
  open for another period. So a hung Redis costs a process one socket timeout per period, not
  one per operation.
- The trip and the recovery are each logged once (logger `config.cache`, WARNING), never per
  operation: keep `DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS` off, or every skipped call logs too.

Why a `RedisCache` subclass rather than a django-redis client class: every `RedisCache`
operation goes through its `client` property and its `omit_exception` wrapper (which turns
`ConnectionInterrupted` into a miss), so guarding the client there covers all of them in one
place; a `CLIENT_CLASS` would have to override each of its many methods. It lives in `config/`
because it is deployment plumbing that knows nothing of the shop.
"""

import logging
import threading
import time
from typing import Any

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)


class CircuitOpen(ConnectionError):
    """Redis was skipped: it failed moments ago (raised only without IGNORE_EXCEPTIONS)."""


class CircuitBreaker:
    """Whether to try Redis now, shared by every thread of the process.

    `allow()` says whether to try; the caller then reports `failed(error)` or `succeeded()`.
    """

    def __init__(self, name: str, seconds: float):
        self.name, self.seconds = name, seconds
        self._lock = threading.Lock()
        self._open = False
        self._retry_at = 0.0

    def allow(self) -> bool:
        if not self._open:  # The common case takes no lock.
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # This caller probes; everyone else keeps skipping until it reports back.
            self._retry_at = now + self.seconds
            return True

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.seconds
            if self._open:
                return
            self._open = True
        logger.warning(
            "Redis at %s failed (%s): cache circuit open, skipping Redis for %ss at a time "
            "until it answers",
            self.name,
            error,
            self.seconds,
        )

    def succeeded(self) -> None:
        if not self._open:
            return
        with self._lock:
            if not self._open:
                return
            self._open = False
        logger.warning("Redis at %s answers again: cache circuit closed", self.name)


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str, seconds: float) -> CircuitBreaker:
    """The process's breaker for `server` (Django makes a cache backend per thread)."""
    with _breakers_lock:
        if server not in _breakers:
            _breakers[server] = CircuitBreaker(server, seconds)
        return _breakers[server]


class _GuardedClient:
    """Forwards to a django-redis client, asking the breaker before each call."""

    def __init__(self, client: Any, breaker: CircuitBreaker):
        self._client, self._breaker = client, breaker

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name == "close" or not callable(method):
            return method

        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not self._breaker.allow():
                raise ConnectionInterrupted(connection=None) from CircuitOpen(self._breaker.name)
            try:
                result = method(*args, **kwargs)
            except ConnectionInterrupted as error:
                if not isinstance(error.__cause__, ResponseError):  # Redis did answer that.
                    self._breaker.failed(error.__cause__ or error)
                raise
            self._breaker.succeeded()
            return result

        return guarded


class CircuitBreakerRedisCache(RedisCache):
    """django-redis's cache behind a circuit breaker (see the module docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        seconds = float(params.get("OPTIONS", {}).get("CIRCUIT_BREAKER_SECONDS", 5))
        self._breaker = breaker_for(server, seconds)

    @property
    def client(self) -> Any:
        return _GuardedClient(super().client, self._breaker)

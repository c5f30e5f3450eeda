"""config/cache.py: the circuit breaker's contract, without any Redis (see test_redis_faults.py)."""

import logging

from config import cache as cache_module
from config.cache import CircuitBreaker


def test_the_breaker_skips_redis_after_a_fault_then_lets_one_probe_through(monkeypatch, caplog):
    now = [100.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    breaker = CircuitBreaker("redis://example:6379/0", seconds=5)
    assert breaker.allow()

    with caplog.at_level(logging.WARNING, logger="config.cache"):
        breaker.failed(TimeoutError("no answer"))
        breaker.failed(TimeoutError("no answer"))  # In flight when it tripped: no new log.
        assert not breaker.allow()
        now[0] += 5
        assert breaker.allow(), "one probe after the period"
        assert not breaker.allow(), "the others keep skipping while it runs"
        breaker.failed(TimeoutError("still no answer"))
        assert not breaker.allow()
        now[0] += 5
        assert breaker.allow()
        breaker.succeeded()
        assert breaker.allow() and breaker.allow(), "closed: every call goes to Redis"
        breaker.succeeded()

    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 2, messages
    assert "circuit open" in messages[0] and "circuit closed" in messages[1]

"""Redis faults with real processes: a gunicorn server on this test database and a Redis of our own.

The Redis is started here on a free loopback port and hung with SIGSTOP (not down: connections
are accepted and never answered), then resumed with SIGCONT. Latencies and staleness are
printed (`pytest -s`); the tests assert behaviour: pages answer, the breaker trips and recovers
once, a logout stays a logout, and a change made during the outage shows within the bound.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from tests.factories import UserFactory, make_live_layout, make_product
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "storefront-faults"
BREAKER_SECONDS = 1  # Short, so a test sees the probe and the recovery quickly.
TOKEN_SECONDS = 5  # The default: the staleness bound under test.
PUBLIC_TOKEN_SECONDS = 1  # The default: how long a worker trusts the tokens it read.
SANITY_SECONDS = 3  # No page may take this long; the figures printed are the real measure.

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


def wait_until(check, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    for _ in range(int(seconds / 0.05) + 1):
        if check():
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def server_answers(port: int) -> bool:
    try:
        return request(port, "GET", "/healthz")[0] == 200
    except OSError:
        return False


def request(port: int, method: str, path: str, *, cookies=None, body="", headers=None):
    """(status, Set-Cookie values, body text, seconds) of one request to the server."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    head = {"Host": "127.0.0.1", **(headers or {})}
    if cookies:
        head["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body:
        head["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body or None, headers=head)
        response = conn.getresponse()
        text = response.read().decode()
    finally:
        conn.close()
    jar = SimpleCookie()
    for value in response.headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return (
        response.status,
        {k: m.value for k, m in jar.items()},
        text,
        time.perf_counter() - started,
    )


@pytest.fixture(scope="module")
def redis() -> Iterator[subprocess.Popen]:
    """Our own redis-server on a free loopback port (`.args[2]`), killed at the end."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: redis_answers(port), seconds=10, what="redis-server")
        yield process
    finally:
        process.kill()  # SIGKILL ends it even if a failed test left it stopped.
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_port(redis) -> int:
    return int(redis.args[2])


@pytest.fixture(scope="module")
def redis_pid(redis) -> int:
    return redis.pid


@pytest.fixture(scope="module")
def server(django_db_setup, redis_port, tmp_path_factory):
    """A gunicorn worker on the test database and our Redis; yields (port, log path)."""
    db = connection.settings_dict
    port = free_port()
    log = tmp_path_factory.mktemp("faults") / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",  # plain static files storage (no collectstatic here)
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DB_POOL_MAX": "4",
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CACHE_KEY_PREFIX": PREFIX,
        "CACHE_BREAKER_SECONDS": str(BREAKER_SECONDS),
        "CACHE_TOKEN_SECONDS": str(TOKEN_SECONDS),
        "PUBLIC_TOKEN_SECONDS": str(PUBLIC_TOKEN_SECONDS),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
        "LOG_LEVEL": "WARNING",
        "EMAIL_CONSOLE": "1",
    })  # fmt: skip
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--no-control-socket", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(lambda: server_answers(port), seconds=30, what="gunicorn")
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def invalidations_reach_the_server(settings, redis_port) -> None:
    """This process's cache is the server's Redis, as another server's would be."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.CircuitBreakerRedisCache",
            "LOCATION": f"redis://127.0.0.1:{redis_port}/0",
            "KEY_PREFIX": PREFIX,
            "OPTIONS": {"SOCKET_TIMEOUT": 0.25, "SOCKET_CONNECT_TIMEOUT": 0.25,
                        "CIRCUIT_BREAKER_SECONDS": BREAKER_SECONDS, "IGNORE_EXCEPTIONS": True},
        }
    }  # fmt: skip
    settings.CACHE_TOKEN_SECONDS = TOKEN_SECONDS


def breaker_log(log: Path) -> tuple[int, int]:
    """How often the server has logged its breaker opening and closing."""
    text = log.read_text()
    return text.count("circuit open"), text.count("circuit closed")


@contextmanager
def redis_hung(pid: int, port: int, log: Path) -> Iterator[None]:
    """SIGSTOP the Redis for the block (which must use it), SIGCONT, then wait (bounded) until
    the server's breaker closes: one trip and one recovery logged for the whole outage."""
    opened, closed = breaker_log(log)
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)

    def recovered() -> bool:
        request(port, "GET", "/catalog/")  # Gives the breaker its probe.
        return breaker_log(log)[1] > closed

    wait_until(recovered, seconds=BREAKER_SECONDS + 5, what="the breaker to close")
    assert breaker_log(log) == (opened + 1, closed + 1), "one trip, one recovery logged"


def page_latencies(port: int, paths: list[str], *, rounds: int, seconds: float = 0):
    """Each path's latencies over `rounds` rounds, or more until `seconds` have passed (at most
    100 rounds, a breath apart); every answer must be a 200 within the sanity bound."""
    seen: dict[str, list[float]] = {p: [] for p in paths}
    until = time.monotonic() + seconds
    for done in range(100):
        if done >= rounds and time.monotonic() >= until:
            break
        if seconds:
            time.sleep(0.05)
        for path in paths:
            status, _, _, elapsed = request(port, "GET", path)
            assert status == 200, path
            assert elapsed < SANITY_SECONDS, (path, elapsed)
            seen[path].append(elapsed)
    return seen


def show(title: str, latencies: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    for path, values in latencies.items():
        ms = sorted(v * 1000 for v in values)
        slow = sum(v > 100 for v in ms)
        print(
            f"  {path:10} n={len(ms):3}  median {ms[len(ms) // 2]:6.1f} ms  max {ms[-1]:6.1f} ms"
            f"  over 100 ms: {slow}"
        )


def test_pages_answer_at_once_while_redis_hangs(server, redis_pid):
    port, log = server
    make_live_layout({"kind": "hero", "heading": "Hero"})
    paths = ["/", "/catalog/", "/cart/"]
    show("Redis up:", page_latencies(port, paths, rounds=3))
    with redis_hung(redis_pid, port, log):
        # Long enough for the breaker to probe (and fail) a few times.
        hung = page_latencies(port, paths, rounds=6, seconds=3 * BREAKER_SECONDS + 0.5)
    show(f"Redis hung (SIGSTOP), breaker {BREAKER_SECONDS}s:", hung)
    show("Redis back:", page_latencies(port, paths, rounds=2))


def test_a_logout_during_the_outage_stays_a_logout(server, redis_pid):
    port, log = server
    user = UserFactory()
    client = Client()
    client.force_login(user)  # A session row in the database, as a login makes.
    old = {"sessionid": client.cookies["sessionid"].value}
    status, cookies, html, _ = request(port, "GET", "/account/", cookies=old)
    assert status == 200, "logged in"
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    both = {**old, "csrftoken": cookies.get("csrftoken", "")}

    with redis_hung(redis_pid, port, log):
        # A page this worker has not kept yet, so it asks the hung Redis (and trips).
        assert request(port, "GET", "/catalog/?during=outage")[0] == 200
        status, _, _, seconds = request(
            port, "POST", "/account/logout/", cookies=both, headers={"X-CSRFToken": csrf}
        )
        print(f"\nlogout while Redis hangs: {status} in {seconds * 1000:.1f} ms")
        assert status in {302, 303}

    status, _, _, _ = request(port, "GET", "/account/", cookies=old)
    assert status == 302, "the old cookie is logged out for good"


@pytest.mark.usefixtures("invalidations_reach_the_server")
def test_a_price_changed_during_the_outage_shows_within_the_bound(server, redis_pid):
    port, log = server
    product = make_product(name="Brass Lamp", prices=("10.00",))
    make_live_layout({"kind": "featured_products", "heading": "Picks", "products": [product]})
    assert "£10.00" in request(port, "GET", "/")[2]  # Token and page cached in our Redis.

    with redis_hung(redis_pid, port, log):
        variant = product.variants.get()
        variant.price = Decimal("12.34")
        variant.save()  # The invalidation cannot reach Redis.
        committed = time.monotonic()
        # The worker trusts the tokens it read for PUBLIC_TOKEN_SECONDS, then asks Redis (the
        # breaker answers at once) and the database.
        wait_until(
            lambda: "£12.34" in request(port, "GET", "/")[2],
            seconds=PUBLIC_TOKEN_SECONDS + 2,
            what="the new price, from the database, during the outage",
        )

    # The bound (the cache's copy of the old token expires, then the worker's own copy), plus
    # a second for polling on a busy machine; before the fix: the old price forever.
    bound = TOKEN_SECONDS + PUBLIC_TOKEN_SECONDS
    deadline = committed + bound + 1
    stale_seen = 0
    for _ in range(200):
        if "£12.34" in request(port, "GET", "/")[2]:
            break
        stale_seen += 1
        assert time.monotonic() < deadline, f"the old price still shows {bound + 1}s on"
        time.sleep(0.05)
    else:
        pytest.fail("the new price never showed")
    fresh_after = time.monotonic() - committed
    assert "£12.34" in request(port, "GET", "/")[2], "and it stays"
    print(
        f"\nprice changed during the outage: new price shown {fresh_after:.2f}s after the "
        f"commit ({stale_seen} stale answers after Redis returned; bound {bound}s)"
    )

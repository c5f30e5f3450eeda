"""Helpers for tests that run real processes (app servers, task workers) on loopback."""

import os
import random
import socket
import subprocess
import time

from django.db import connection


def port_range() -> range | None:
    """The ports the suite may listen on, from `TEST_PORTS` ("20000-20099"), or None for any.

    For machines where only some ports are open: every server the tests start (the e2e live
    server, gunicorn app servers, task workers' SMTP, a Redis of the fault tests) takes its port
    from this range.
    """
    spec = os.environ.get("TEST_PORTS", "").strip()
    if not spec:
        return None
    first, _, last = spec.partition("-")
    try:
        ports = range(int(first), int(last or first) + 1)
    except ValueError:
        raise ValueError(f"TEST_PORTS must look like 20000-20099, not {spec!r}") from None
    if not ports or ports.start < 1 or ports.stop > 65536:
        raise ValueError(f"TEST_PORTS must be a range of ports from 1 to 65535, not {spec!r}")
    return ports


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (within `TEST_PORTS` if set)."""
    ports = port_range()
    candidates = [0] if ports is None else random.sample(ports, len(ports))
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise OSError(f"no free port in TEST_PORTS={os.environ['TEST_PORTS']}")


def shared_database_url() -> str:
    """The test database as a DATABASE_URL, for processes that must use it too."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def wait_for(condition, *, seconds: float = 30.0, what: str = "the condition"):
    """Poll `condition` (at most `seconds`) until it returns something truthy; return that."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def stop_all(processes: list[subprocess.Popen]) -> None:
    """Terminate each process, and kill any that has not exited 10 s later."""
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""Helpers for tests that run real processes (app servers, task workers) on loopback."""

import socket
import subprocess
import time

from django.db import connection


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


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

"""TEST_PORTS: the ports the suite's servers may take, for machines where only some are open."""

import socket

import pytest

from tests.processes import free_port, port_range


def test_without_test_ports_any_free_port_will_do(monkeypatch):
    monkeypatch.delenv("TEST_PORTS", raising=False)
    assert port_range() is None
    assert 0 < free_port() < 65536


def taken_port_before_a_free_one() -> socket.socket:
    """A listening socket on a port whose next port is free (other tests' servers come and go,
    so a few tries may be needed)."""
    for _ in range(50):
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", taken.getsockname()[1] + 1))
            except OSError:
                taken.close()
                continue
        return taken
    raise AssertionError("no port with a free neighbour")


def test_a_free_port_comes_from_test_ports_and_skips_one_in_use(monkeypatch):
    with taken_port_before_a_free_one() as taken:
        busy = taken.getsockname()[1]
        monkeypatch.setenv("TEST_PORTS", f"{busy}-{busy + 1}")
        assert port_range() == range(busy, busy + 2)
        assert free_port() == busy + 1


def test_a_full_range_says_so(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        monkeypatch.setenv("TEST_PORTS", str(busy))
        with pytest.raises(OSError, match="no free port in TEST_PORTS"):
            free_port()


@pytest.mark.parametrize("spec", ["many", "9000-8000", "0-10", "65000-70000"])
def test_a_malformed_range_is_refused_with_the_expected_shape(monkeypatch, spec):
    monkeypatch.setenv("TEST_PORTS", spec)
    with pytest.raises(ValueError, match="TEST_PORTS must"):
        port_range()

"""config/proxies.py: TRUSTED_PROXIES, and the one answer to "which client sent this request"."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.proxies import client_address, parse_trusted_proxies

BALANCERS = "10.0.0.0/8, 192.0.2.7, 2001:db8:1::/48"


def test_the_setting_takes_addresses_and_networks_of_both_families():
    assert parse_trusted_proxies(BALANCERS) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("2001:db8:1::/48"),
    )
    assert parse_trusted_proxies(" 2001:db8::5 ,") == (ipaddress.ip_network("2001:db8::5/128"),)


@pytest.mark.parametrize("empty", ["", " ", ",", " , "])
def test_an_empty_setting_trusts_no_proxy(empty):
    assert parse_trusted_proxies(empty) == ()


@pytest.mark.parametrize(
    ("setting", "named"),
    [
        ("10.0.0.0/8, balancer.internal", "'balancer.internal'"),
        ("10.0.0.1/8", "'10.0.0.1/8' is not an IP address or CIDR network (10.0.0.1/8 has host"),
        ("192.0.2.300", "'192.0.2.300'"),
        ("2001:db8::/129", "'2001:db8::/129'"),
    ],
)
def test_a_bad_entry_is_refused_by_name(setting, named):
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES") as refused:
        parse_trusted_proxies(setting)
    assert named in str(refused.value)


@pytest.fixture
def behind(settings):
    """Requests as a peer sends them, with these balancers trusted."""
    settings.TRUSTED_PROXIES = parse_trusted_proxies(BALANCERS)
    factory = RequestFactory()

    def request(peer: str, forwarded: str | None = None):
        headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
        return client_address(factory.get("/", REMOTE_ADDR=peer, **headers))

    return request


def test_a_client_that_is_not_a_trusted_proxy_is_the_client_whatever_it_forwards(behind):
    assert behind("203.0.113.9") == "203.0.113.9"
    assert behind("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert behind("203.0.113.9", "10.0.0.5, 198.51.100.1") == "203.0.113.9"
    assert behind("2001:DB8:2::0001", "198.51.100.1") == "2001:db8:2::1"


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = ()
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.5"


def test_behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_entry(behind):
    assert behind("10.0.0.5", "198.51.100.1") == "198.51.100.1"
    # The client forged the leftmost entries; our balancer appended the one it saw.
    assert behind("10.0.0.5", "1.1.1.1, 8.8.8.8, 198.51.100.1") == "198.51.100.1"
    assert behind("10.0.0.5", "2001:db8:2::1") == "2001:db8:2::1"


def test_a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_hop(behind):
    # client → CDN-like edge 192.0.2.7 → balancer 10.1.1.1 → app (peer 10.0.0.5)
    assert behind("10.0.0.5", "6.6.6.6, 198.51.100.1, 192.0.2.7, 10.1.1.1") == "198.51.100.1"
    assert behind("2001:db8:1::9", "198.51.100.1, 2001:db8:1::3") == "198.51.100.1"


def test_ports_brackets_and_mapped_addresses_are_read(behind):
    assert behind("10.0.0.5", "198.51.100.1:5123") == "198.51.100.1"
    assert behind("10.0.0.5", "[2001:db8:2::1]:443") == "2001:db8:2::1"
    assert behind("::ffff:10.0.0.5", "::ffff:198.51.100.1") == "198.51.100.1"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        (None, "10.0.0.5"),  # a health check from the balancer itself
        ("", "10.0.0.5"),
        ("unknown", "10.0.0.5"),
        ("198.51.100.1, garbage", "10.0.0.5"),  # stops at the proxy that wrote garbage
        ("198.51.100.1, , 10.2.2.2", "10.2.2.2"),
        ("10.3.3.3, 10.2.2.2", "10.3.3.3"),  # only proxies: the farthest one
        ("x" * 5000, "10.0.0.5"),
    ],
)
def test_malformed_or_missing_entries_fall_back_to_a_trusted_hop(behind, forwarded, client):
    assert behind("10.0.0.5", forwarded) == client


def test_a_peer_that_is_not_an_address_is_kept_as_it_is(behind):
    assert behind("", "198.51.100.1") == ""
    assert behind("unix:/run/gunicorn.sock", "198.51.100.1") == "unix:/run/gunicorn.sock"

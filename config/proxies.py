"""Who the client is when requests come through the shop's own proxies (TRUSTED_PROXIES).

Behind a load balancer every request's `REMOTE_ADDR` is the balancer, so anything keyed on it
(the rate limits of shop.services.throttle) would lump every shopper together. The balancer
appends the address it received the request from to `X-Forwarded-For`; but a client can send
that header too, with anything in it, so only the entries our own proxies wrote can be
believed. `client_address(request)` is the one place that reads them.

It lives in `config/` beside the cache breaker because it is deployment plumbing that knows
nothing of the shop: the setting's format and its only reader belong together, and
config/settings.py must parse the setting without importing the shop or `partials`.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address
type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """The networks of a comma-separated list of addresses or CIDRs, IPv4 or IPv6 (a bare
    address is a network of one). Raises ImproperlyConfigured naming the first bad entry."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network ({error}). "
                "Give your load balancers' addresses, comma-separated, for example "
                "'10.0.0.0/8, 192.0.2.7, 2001:db8::/32'."
            ) from None
    return tuple(networks)


def _address(text: str) -> Address | None:
    """An address as a proxy writes it (perhaps with a port, IPv6 perhaps in brackets), or
    None if it is not one. An IPv4 address mapped into IPv6 is the IPv4 address."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    networks: tuple[Network, ...] = settings.TRUSTED_PROXIES
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent `request`, as text.

    If `REMOTE_ADDR` is not one of TRUSTED_PROXIES, it is the client and `X-Forwarded-For` is
    ignored (anyone can send that header). If it is, `X-Forwarded-For` is read from the right
    (the entries our proxies appended) and the first entry that is not a trusted proxy is the
    client. An entry that is not an address stops the walk at the proxy that wrote it, and a
    chain of trusted proxies only gives its farthest one: either way the answer is an address
    that no client chose, never an error.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    nearest = _address(peer)
    if nearest is None:
        return peer
    if not _trusted(nearest):
        return str(nearest)
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = _address(entry)
        if hop is None:
            break
        if not _trusted(hop):
            return str(hop)
        nearest = hop
    return str(nearest)

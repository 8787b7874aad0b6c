"""Checks of webhook URLs and of the addresses numrep may send webhooks to.

A URL is checked twice: when a client submits it (``validate_webhook_url``) and
when an attempt connects (``resolve_target``, called by the guarded transport for
every new connection). The second check resolves the host once and returns the
addresses that the transport then dials, so a DNS answer that changes between
the check and the connection cannot redirect the request.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence

import httpx

from numrep.webhook.models import MAX_URL_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Resolves (host, port) to IP address strings; socket.getaddrinfo in production.
Resolver = Callable[[str, int], Sequence[str]]

# Each range can carry an IPv4 address such as 127.0.0.1 that a gateway on the
# way would then reach; Python 3.11 reports NAT64 and 6to4 addresses as global.
_TUNNEL_NETWORKS: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (ipaddress.IPv6Network("64:ff9b::/96"), "a NAT64 address"),
    (ipaddress.IPv6Network("64:ff9b:1::/48"), "a NAT64 address"),
    (ipaddress.IPv6Network("2002::/16"), "a 6to4 address"),
    (ipaddress.IPv6Network("2001::/32"), "a Teredo address"),
)

# Characters of the IPv4 spellings that inet_aton accepts: 127.1, 2130706433,
# 0x7f000001, 0177.0.0.1.
_NUMERIC_HOST_CHARS = frozenset("0123456789abcdefxABCDEFX.")


class UnsafeTargetError(Exception):
    """Raised before connecting when a webhook target is not a public address."""


def validate_webhook_url(url: str, *, allow_private: bool) -> str:
    """Check a webhook URL at submit time and return it unchanged.

    Requires an absolute https URL with a host, no user name or password, at
    most 2048 characters. A host written as an IP address must be public, and
    localhost names are rejected. Other host names are resolved and checked
    when an attempt connects. With
    ``allow_private`` (local development and tests), http and non-public hosts
    pass. Raises ``ValueError`` with a message for the client.
    """
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(
            f"The webhook URL is {len(url)} characters long; the maximum is "
            f"{MAX_URL_LENGTH}."
        )
    if any(char.isspace() or not char.isprintable() for char in url):
        raise ValueError(
            "The webhook URL contains whitespace or control characters; "
            "percent-encode them."
        )
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise ValueError(
            f"The webhook URL {url!r} is not a valid URL: {error}."
        ) from error
    if not parsed.scheme or not parsed.host:
        raise ValueError(
            f"The webhook URL {url!r} is not absolute; give a scheme and a host, "
            "e.g. https://example.com/webhooks."
        )
    _check_scheme(parsed.scheme, allow_private=allow_private)
    if parsed.userinfo:
        raise ValueError(
            "The webhook URL contains a user name or password; remove them and "
            "authenticate the request with its Ed25519 signature instead."
        )
    if not allow_private:
        problem = _literal_host_problem(parsed.host)
        if problem is not None:
            raise ValueError(
                f"The webhook URL host {parsed.host!r} is not allowed: {problem}. "
                "Use a publicly routable host."
            )
    return url


def _check_scheme(scheme: str, *, allow_private: bool) -> None:
    if scheme == "https":
        return
    if scheme == "http" and allow_private:
        return
    allowed = "https or http" if allow_private else "https"
    raise ValueError(
        f"The webhook URL uses the scheme {scheme!r}; it must use {allowed}."
    )


def _literal_host_problem(host: str) -> str | None:
    """Return why a host given as an address or as localhost is not public."""
    lowered = host.lower().rstrip(".")
    if lowered == "localhost" or lowered.endswith(".localhost"):
        return "localhost names resolve to loopback addresses"
    address = parse_ip_literal(host)
    if address is None:
        return None
    return address_problem(address)


def parse_ip_literal(host: str) -> IPAddress | None:
    """Parse ``host`` as an IP address the way the C resolver reads it.

    Besides the dotted quad, the C resolver reads legacy IPv4 spellings such as
    ``127.1``, ``2130706433`` and ``0x7f000001``; ``inet_aton`` parses them
    locally, without any DNS query. Returns None for a host name.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if not host or not set(host) <= _NUMERIC_HOST_CHARS:
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def address_problem(address: IPAddress) -> str | None:
    """Return why ``address`` is not a public unicast address, or None if it is.

    An IPv4-mapped IPv6 address is judged by the IPv4 address it carries.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        inner = address.ipv4_mapped
        kind = _address_kind(inner)
        if kind is None:
            return None
        return f"{address} is an IPv4-mapped form of {inner}, {kind}"
    kind = _address_kind(address)
    return None if kind is None else f"{address} is {kind}"


def _address_kind(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        for network, kind in _TUNNEL_NETWORKS:
            if address in network:
                return kind
        if address.is_site_local:
            return "a site-local address"
    checks: tuple[tuple[bool, str], ...] = (
        (address.is_unspecified, "an unspecified address"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
    )
    for matches, kind in checks:
        if matches:
            return kind
    if not address.is_global:
        return "not a globally routable address"
    return None


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve ``host`` with the C resolver, as a plain connection would."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve_target(
    host: str, port: int, *, resolver: Resolver, allow_private: bool
) -> list[IPAddress]:
    """Resolve ``host`` once and return the addresses a connection may dial.

    Raises ``UnsafeTargetError`` when any address is not public (unless
    ``allow_private``), so a name with one public and one private address is
    rejected as a whole. Raises ``OSError`` when the host does not resolve.
    """
    addresses: list[IPAddress] = []
    for answer in resolver(host, port):
        address = ipaddress.ip_address(answer)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OSError(f"{host} resolved to no address")
    if allow_private:
        return addresses
    for address in addresses:
        problem = address_problem(address)
        if problem is not None:
            raise UnsafeTargetError(
                f"rejected target {host}: {problem}. Webhook targets must be "
                "public addresses; NUMREP_WEBHOOK_ALLOW_PRIVATE_TARGETS=true "
                "allows others for local development"
            )
    return addresses

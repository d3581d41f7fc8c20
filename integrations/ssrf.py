"""The SSRF guard for every URL MarioHR calls on a customer's behalf.

Callback URLs come from the ATS, so an attacker chooses them. One check serves send time
(a clear 400) and every delivery attempt (with the address it returns pinned for the
connection, so DNS rebinding cannot swap in a private address between check and connect).
Advocate, the old library for this, is unmaintained and pins urllib3 < 2, hence our own.
"""

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that reach a cloud's instance metadata service without a private-looking address.
METADATA_HOSTNAMES = {"metadata", "metadata.google.internal", "instance-data", "metadata.azure.com"}
# 100.64.0.0/10 (carrier-grade NAT, also Alibaba's metadata at 100.100.100.200) is neither
# private nor global in ipaddress; is_global already excludes it, listed for the reader.
# ipaddress in older Pythons (3.11.7, for one) counts most of 192.0.0.0/24 (IETF protocol
# assignments) and 3fff::/20 (documentation) as global; neither is a customer's server.
EXTRA_FORBIDDEN_NETWORKS = [
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("192.0.0.0/24"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("3fff::/20"),
]
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(ValueError):
    """The URL may not be called; the message says why, for an API client to read."""


@dataclass(frozen=True)
class CheckedURL:
    url: str
    hostname: str
    port: int
    # Addresses that passed the check, to connect to. Empty when the name did not resolve
    # and resolution was optional (send time); delivery always resolves.
    addresses: list[str] = field(default_factory=list)
    allowlisted: bool = False


def _parse_ipv4_loose(host: str) -> ipaddress.IPv4Address | None:
    """Read the odd IPv4 spellings that resolvers accept: 2130706433, 0x7f000001, 127.1,
    0177.0.0.1. inet_aton implements exactly the classic BSD rules those come from."""
    if not host or any(c not in "0123456789abcdefx." for c in host.lower()):
        return None
    if not host[0].isdigit():
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return _parse_ipv4_loose(host)


def is_forbidden_address(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and is_forbidden_address(embedded):
            return True
    if any(address in net for net in EXTRA_FORBIDDEN_NETWORKS if net.version == address.version):
        return True
    # is_global alone is not enough: multicast counts as global in Python 3.11.
    return (
        not address.is_global
        or address.is_multicast
        or address.is_reserved
        or address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )


def _allowlist() -> tuple[set[str], list]:
    hosts, networks = set(), []
    for entry in settings.MARIOHR_CALLBACK_ALLOWLIST:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return hosts, networks


def _in_networks(address: IPAddress, networks) -> bool:
    return any(address.version == n.version and address in n for n in networks)


def resolve(hostname: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    return sorted({info[4][0] for info in infos})


def check_url(url: str, *, require_resolution: bool) -> CheckedURL:
    """Validate ``url`` for an outbound call; raise ``UnsafeURL`` with the reason.

    ``require_resolution=False`` (send time) accepts a name that does not resolve yet; it is
    checked again at delivery, where resolution is required and the addresses are pinned.
    """
    if not isinstance(url, str) or len(url) > 2000:
        raise UnsafeURL("must be a URL of at most 2000 characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UnsafeURL("must not contain whitespace or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port if parts.port is not None else 443
    except ValueError as exc:
        raise UnsafeURL(f"is not a valid URL ({exc}).") from None
    if parts.scheme.lower() != "https":
        raise UnsafeURL("must use https.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeURL("must not contain credentials.")
    hostname = (parts.hostname or "").lower()
    if "%" in hostname:
        raise UnsafeURL("must not use an IPv6 zone id.")
    hostname = hostname.rstrip(".")
    if not hostname:
        raise UnsafeURL("must have a host.")

    allowed_hosts, allowed_networks = _allowlist()
    literal = parse_ip(hostname)
    if hostname in allowed_hosts or (literal and _in_networks(literal, allowed_networks)):
        # Allowlisted hosts (development and tests) skip address and port rules, not https.
        addresses = (
            [str(literal)] if literal else _resolve_or_empty(hostname, port, require_resolution)
        )
        return CheckedURL(url, hostname, port, addresses, allowlisted=True)

    if hostname == "localhost" or hostname.endswith(".localhost"):
        raise UnsafeURL("must not point to localhost.")
    if hostname in METADATA_HOSTNAMES:
        raise UnsafeURL("must not point to a cloud metadata service.")
    if literal is not None:
        _check_port(port)
        if is_forbidden_address(literal):
            raise UnsafeURL("must not point to a loopback, private or reserved address.")
        return CheckedURL(url, hostname, port, [str(literal)])

    addresses = _resolve_or_empty(hostname, port, require_resolution)
    parsed = [ipaddress.ip_address(address.split("%")[0]) for address in addresses]
    if parsed and all(_in_networks(address, allowed_networks) for address in parsed):
        return CheckedURL(url, hostname, port, addresses, allowlisted=True)
    _check_port(port)
    for address in parsed:
        if is_forbidden_address(address) and not _in_networks(address, allowed_networks):
            raise UnsafeURL(
                "must not point to a loopback, private or reserved address "
                f"({hostname} resolves to {address})."
            )
    return CheckedURL(url, hostname, port, addresses)


def _check_port(port: int) -> None:
    if port not in settings.MARIOHR_CALLBACK_PORTS:
        ports = " or ".join(str(p) for p in settings.MARIOHR_CALLBACK_PORTS)
        raise UnsafeURL(f"must use port {ports}.")


def _resolve_or_empty(hostname: str, port: int, required: bool) -> list[str]:
    try:
        return resolve(hostname, port)
    except (socket.gaierror, UnicodeError) as exc:
        if required:
            raise UnsafeURL(f"host {hostname} cannot be resolved ({exc}).") from None
        return []

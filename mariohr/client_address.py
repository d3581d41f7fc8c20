"""The client's address, as the abuse limits see it (API throttles and admin lockout)."""

import functools
import ipaddress

from django.conf import settings


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind our proxy (MARIOHR_BEHIND_PROXY) the last X-Forwarded-For hop;
    None when neither is an IP address (a unix socket without a proxy header).

    Only the last hop is the one our proxy appended: every earlier one came from the client
    and may be forged, and without a proxy the whole header is the client's to write.
    """
    candidates = (request.META.get("REMOTE_ADDR", ""),)
    if settings.MARIOHR_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        candidates = (forwarded.rsplit(",", 1)[-1].strip(), *candidates)
    return _first_address(candidates)


def client_network(request) -> str:
    """The address to count failures against: an IPv6 client holds a whole /64, so counting
    single addresses would let it rotate through 2**64 of them."""
    return _network(client_address(request))


# Parsing addresses costs every API request tens of microseconds, and a client sends the
# same ones again and again: both steps are pure functions of the header values, cached.
@functools.lru_cache(maxsize=4096)
def _first_address(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


@functools.lru_cache(maxsize=4096)
def _network(address: str | None) -> str:
    if address is None:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address

"""Property tests for the SSRF guard: however a forbidden address is spelled (IPv4 in
decimal, octal, hex, short forms; IPv6 compressed, expanded, zero-padded, upper case, with a
dotted tail, bracketed; IPv4-mapped, NAT64 and 6to4 wrappers) and whether it is written in
the URL or comes back from DNS, the guard refuses it; public addresses spelled the same ways
pass and are pinned in their canonical form.

DNS is controlled at ``socket.getaddrinfo``, so the guard's own resolve() runs; every
spelling is first checked against an independent parser (glibc's inet_aton / inet_pton),
so a test cannot pass on a spelling that means something else.
"""

import ipaddress
import socket
from contextlib import contextmanager
from unittest import mock

from django.test import override_settings
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from integrations.ssrf import METADATA_HOSTNAMES, UnsafeURL, check_url

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REFUSED_ADDRESS = "loopback, private or reserved"

FORBIDDEN_V4 = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",  # shared address space; Alibaba's metadata is 100.100.100.200
    "127.0.0.0/8",
    "169.254.0.0/16",  # link-local, with AWS/GCP/Azure metadata at 169.254.169.254
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
FORBIDDEN_V6 = [
    "::/128",
    "::1/128",
    "::/96",  # IPv4-compatible (deprecated)
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "3fff::/20",
    "64:ff9b:1::/48",
    "fc00::/7",  # unique local, with AWS's IPv6 metadata at fd00:ec2::254
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
]
METADATA = ["169.254.169.254", "100.100.100.200", "fd00:ec2::254", "fe80::a9fe:a9fe"]
PUBLIC = ["93.184.215.14", "8.8.8.8", "1.1.1.1", "151.101.1.69", "2606:4700:4700::1111"]


def in_network(cidr: str):
    network = ipaddress.ip_network(cidr)
    base = int(network.network_address)
    kind = ipaddress.IPv4Address if network.version == 4 else ipaddress.IPv6Address
    return st.integers(0, network.num_addresses - 1).map(lambda offset: kind(base + offset))


forbidden_v4 = st.one_of(
    st.sampled_from(FORBIDDEN_V4).flatmap(in_network),
    st.sampled_from([a for a in METADATA if ":" not in a]).map(ipaddress.IPv4Address),
    st.just(ipaddress.IPv4Address("255.255.255.255")),
)


def _wrapped(v4: ipaddress.IPv4Address):
    """The forbidden IPv4 address inside the IPv6 forms that carry it."""
    low = int(v4)
    mapped = ipaddress.IPv6Address((0xFFFF << 32) | low)
    nat64 = ipaddress.IPv6Address((0x0064_FF9B << 96) | low)
    return st.one_of(
        st.just(mapped),
        st.just(nat64),
        st.integers(0, 2**80 - 1).map(
            lambda rest: ipaddress.IPv6Address((0x2002 << 112) | (low << 80) | rest)
        ),
    )


forbidden_v6 = st.one_of(
    st.sampled_from(FORBIDDEN_V6).flatmap(in_network),
    st.sampled_from([a for a in METADATA if ":" in a]).map(ipaddress.IPv6Address),
    forbidden_v4.flatmap(_wrapped),
)


# Spellings


@st.composite
def ipv4_spelling(draw, address: ipaddress.IPv4Address) -> str:
    """The classic BSD forms: 1 to 4 parts, the last filling the remaining bytes, each part
    in decimal, octal (leading 0) or hex (0x), as inet_aton and so resolvers read them."""
    value = int(address)
    count = draw(st.integers(1, 4))
    parts = [(value >> (8 * (3 - i))) & 0xFF for i in range(count - 1)]
    parts.append(value & ((1 << (8 * (5 - count))) - 1))
    spelled = []
    for part in parts:
        base = draw(st.sampled_from(["dec", "oct", "hex"]))
        padding = "0" * draw(st.integers(0, 3))
        if base == "dec":
            spelled.append(str(part))
        elif base == "oct":
            spelled.append("0" + padding + format(part, "o"))
        else:
            digits = padding + format(part, draw(st.sampled_from(["x", "X"])))
            spelled.append(draw(st.sampled_from(["0x", "0X"])) + digits)
    text = ".".join(spelled) + draw(st.sampled_from(["", "."]))
    assert ipaddress.IPv4Address(socket.inet_aton(text.rstrip("."))) == address
    return text


@st.composite
def ipv6_spelling(draw, address: ipaddress.IPv6Address) -> str:
    """Groups zero-padded to any width, in either case, an optional dotted IPv4 tail, and
    any run of zero groups compressed to '::'."""
    groups = [(int(address) >> (16 * (7 - i))) & 0xFFFF for i in range(8)]
    dotted_tail = draw(st.booleans())
    cells = groups[:6] if dotted_tail else groups
    upper = draw(st.booleans())
    spelled = []
    for group in cells:
        digits = format(group, "X" if upper else "x")
        spelled.append(digits.zfill(draw(st.integers(len(digits), 4))))
    zero_runs = [
        (start, end)
        for start in range(len(cells))
        for end in range(start + 1, len(cells) + 1)
        if all(g == 0 for g in cells[start:end])
    ]
    if zero_runs and draw(st.booleans()):
        start, end = draw(st.sampled_from(zero_runs))
        head, tail = ":".join(spelled[:start]), ":".join(spelled[end:])
        text = f"{head}::{tail}"
        if dotted_tail:
            text += ("" if text.endswith(":") else ":") + str(
                ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
            )
    else:
        text = ":".join(spelled)
        if dotted_tail:
            text += ":" + str(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    assert ipaddress.IPv6Address(socket.inet_pton(socket.AF_INET6, text)) == address
    return text


def url_host(address) -> st.SearchStrategy[str]:
    if address.version == 4:
        return ipv4_spelling(address)
    return ipv6_spelling(address).map(lambda text: f"[{text}]")


hostnames = st.from_regex(r"[a-z][a-z0-9-]{0,15}\.(example\.com|ats-customer\.io)", fullmatch=True)


# DNS under the test's control, at the socket layer the guard's resolve() calls


@contextmanager
def dns(answers: dict[str, list[str]]):
    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    with (
        override_settings(MARIOHR_CALLBACK_ALLOWLIST=[], MARIOHR_CALLBACK_PORTS=[443, 8443]),
        mock.patch.object(socket, "getaddrinfo", getaddrinfo),
    ):
        yield


def refused(url: str, *, require_resolution: bool) -> str:
    try:
        checked = check_url(url, require_resolution=require_resolution)
    except UnsafeURL as error:
        return str(error)
    raise AssertionError(f"{url} was accepted with addresses {checked.addresses}")


# Literals in the URL


@PROPERTY
@given(
    host=st.one_of(forbidden_v4, forbidden_v6).flatmap(url_host),
    port=st.sampled_from(["", ":443", ":8443"]),
    require_resolution=st.booleans(),
)
@example(host="2130706433", port="", require_resolution=True)
@example(host="0x7f.1", port="", require_resolution=True)
@example(host="127.1", port="", require_resolution=True)
@example(host="0251.0376.0251.0376", port="", require_resolution=True)  # 169.254.169.254
@example(host="[FD00:0EC2:0000::0254]", port=":443", require_resolution=True)
@example(host="[::ffff:169.254.169.254]", port="", require_resolution=False)
@example(host="192.0.0.8", port="", require_resolution=False)  # found by this test
def test_forbidden_address_literals_are_refused_in_any_spelling(host, port, require_resolution):
    with dns({}):
        reason = refused(f"https://{host}{port}/cb", require_resolution=require_resolution)
    assert REFUSED_ADDRESS in reason


@PROPERTY
@given(
    address=st.sampled_from(PUBLIC).map(ipaddress.ip_address),
    data=st.data(),
    require_resolution=st.booleans(),
)
def test_public_address_literals_pass_in_any_spelling_pinned_canonically(
    address, data, require_resolution
):
    host = data.draw(url_host(address))
    with dns({}):
        checked = check_url(f"https://{host}/cb", require_resolution=require_resolution)
    assert checked.addresses == [str(address)]
    assert checked.allowlisted is False


@PROPERTY
@given(
    v4=forbidden_v4,
    wrapper=st.sampled_from(["::ffff:{}", "64:ff9b::{}", "::FFFF:{}"]),
)
def test_mapped_and_nat64_dotted_forms_are_refused(v4, wrapper):
    with dns({}):
        reason = refused(f"https://[{wrapper.format(v4)}]/cb", require_resolution=True)
    assert REFUSED_ADDRESS in reason


# Names that resolve to forbidden addresses


def resolver_spelling(address) -> st.SearchStrategy[str]:
    """What getaddrinfo may hand back: canonical, or with a scope id on link-local IPv6."""
    text = str(address)
    if address.version == 6 and address.is_link_local:
        return st.sampled_from([text, f"{text}%eth0", f"{text}%2"])
    return st.just(text)


@PROPERTY
@given(
    hostname=hostnames,
    bad=st.one_of(forbidden_v4, forbidden_v6).flatmap(resolver_spelling),
    good=st.lists(st.sampled_from(PUBLIC), max_size=3),
    position=st.integers(0, 3),
    require_resolution=st.booleans(),
)
def test_a_name_resolving_to_any_forbidden_address_is_refused(
    hostname, bad, good, position, require_resolution
):
    answers = list(good)
    answers.insert(min(position, len(answers)), bad)
    with dns({hostname: answers}):
        reason = refused(f"https://{hostname}/cb", require_resolution=require_resolution)
    assert "resolves to" in reason
    assert REFUSED_ADDRESS in reason


@PROPERTY
@given(hostname=hostnames, good=st.lists(st.sampled_from(PUBLIC), min_size=1, max_size=3))
def test_a_name_resolving_only_to_public_addresses_passes_and_is_pinned(hostname, good):
    with dns({hostname: good}):
        checked = check_url(f"https://{hostname.upper()}./cb", require_resolution=True)
    assert checked.hostname == hostname
    assert sorted(checked.addresses) == sorted(set(good))


@PROPERTY
@given(
    name=st.sampled_from(sorted(METADATA_HOSTNAMES) + ["localhost", "app.localhost"]),
    upper=st.lists(st.booleans(), min_size=30, max_size=30),
    dots=st.sampled_from(["", ".", ".."]),
    require_resolution=st.booleans(),
)
def test_metadata_and_localhost_names_are_refused_in_any_case_even_when_dns_says_public(
    name, upper, dots, require_resolution
):
    spelled = "".join(c.upper() if flip else c for c, flip in zip(name, upper)) + dots
    with dns({name: ["93.184.215.14"]}):
        reason = refused(f"https://{spelled}/cb", require_resolution=require_resolution)
    assert "metadata" in reason or "localhost" in reason

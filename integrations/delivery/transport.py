"""HTTPS for deliveries: SSRF re-check, DNS pinning, Standard Webhooks signing.

Every attempt re-runs the SSRF guard and connects to an address it approved, while the Host
header, TLS SNI and certificate check use the hostname: DNS that changes between the check
and the connection (rebinding) cannot reach a private address. Redirects are never followed.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

from .. import ssrf
from .kinds import OutboundRequest

USER_AGENT = "MarioHR-Delivery/1.0"
MAX_POOLS = 64


class TransportError(Exception):
    """The request did not get an HTTP answer: connection, TLS or timeout failure."""


# Receivers MarioHR runs itself (the sandbox's fake ATS, integrations/sandbox): a URL under a
# registered prefix is signed and answered like any other, but handed to the handler in this
# process. MarioHR's own URL may be loopback (development), which the SSRF guard refuses, and
# a worker need not reach the public URL of its own site.
_in_process_routes: dict[str, Callable] = {}


def in_process_route_register(prefix: str, handler: Callable) -> None:
    """``handler(method, url, headers, body) -> (status_code, headers, body)`` answers every
    request to a URL starting with ``prefix`` (scheme, host and a path ending in "/")."""
    if not prefix.endswith("/") or not urlsplit(prefix).netloc:
        # "https://host" would also match "https://host.attacker.example".
        raise ValueError(f"An in-process route needs a host and a path ending in '/': {prefix!r}")
    _in_process_routes[prefix] = handler


def _in_process_handler(url: str) -> Callable | None:
    return next((h for prefix, h in _in_process_routes.items() if url.startswith(prefix)), None)


@dataclass(frozen=True)
class Response:
    status_code: int
    headers: dict
    body: bytes
    duration_ms: int


def signature(*, secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks v1: base64 HMAC-SHA256 of ``id.timestamp.body`` with the secret's
    decoded bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def ca_bundle() -> str:
    # The same variables requests honours, so tests and proxies can bring their own CA.
    return (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    )


_pools: OrderedDict = OrderedDict()
_pools_lock = threading.Lock()
_watched = threading.local()


class _Watchdog:
    """Ends an exchange at its deadline: urllib3's timeouts bound each socket operation, so
    a receiver dripping a byte at a time could otherwise hold an attempt past its lease."""

    def __init__(self, seconds: float):
        self.connection = None
        self.fired = False
        self._timer = threading.Timer(seconds, self._abort)
        self._timer.daemon = True

    def __enter__(self):
        _watched.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()
        _watched.current = None

    def _abort(self):
        self.fired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            # The plain socket's shutdown (not SSLSocket's, which drops its TLS state under
            # the reading thread): the blocked read returns at once with an error.
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _WatchedHTTPSConnection(urllib3.connection.HTTPSConnection):
    def request(self, *args, **kwargs):
        watchdog = getattr(_watched, "current", None)
        if watchdog is not None:
            watchdog.connection = self
        return super().request(*args, **kwargs)


def _pool(address: str, port: int, hostname: str):
    # Keyed by the checked address too: a kept-alive connection is only ever reused for the
    # very address the guard approved. Timeouts are given per request (the time left).
    key = (address, port, hostname, ca_bundle())
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                cert_reqs="CERT_REQUIRED",
                ca_certs=key[3],
                server_hostname=hostname,
                assert_hostname=hostname,
                retries=False,
                maxsize=8,
                block=False,
            )
            pool.ConnectionCls = _WatchedHTTPSConnection
            _pools[key] = pool
            if len(_pools) > MAX_POOLS:
                _pools.popitem(last=False)[1].close()
        else:
            _pools.move_to_end(key)
    return pool


def request_send(
    request: OutboundRequest,
    *,
    webhook_id: str,
    signing_secret: str,
    timeout: float,
    max_response_bytes: int,
) -> Response:
    """Send one request; raise ``ssrf.UnsafeURL`` or ``TransportError`` when it cannot."""
    in_process = _in_process_handler(request.url)
    if in_process is None:
        checked = ssrf.check_url(request.url, require_resolution=True)
        host = _host_header(checked.hostname, checked.port)
    else:
        host = urlsplit(request.url).netloc
    body = b"" if request.json_body is None else json.dumps(request.json_body).encode()
    timestamp = int(time.time())
    headers = {
        "Host": host,
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(
            secret=signing_secret, webhook_id=webhook_id, timestamp=timestamp, body=body
        ),
        **request.headers,
    }
    if request.basic_auth is not None:
        headers.update(urllib3.make_headers(basic_auth="{}:{}".format(*request.basic_auth)))
    if in_process is not None:
        return _send_in_process(in_process, request, headers, body, max_response_bytes)
    parts = urlsplit(request.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    deadline = started + timeout  # for the whole attempt, across every address
    last_error = "no address to connect to"
    for address in checked.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        pool = _pool(address, checked.port, checked.hostname)
        with _Watchdog(remaining) as watchdog:
            try:
                response = pool.urlopen(
                    request.method,
                    path,
                    body=body,
                    headers=headers,
                    redirect=False,
                    retries=False,
                    assert_same_host=False,
                    preload_content=False,
                    timeout=urllib3.Timeout(connect=remaining, read=remaining),
                )
                return _read(response, started, max_response_bytes)
            except (NewConnectionError, ConnectTimeoutError) as exc:
                if not watchdog.fired:
                    last_error = f"cannot connect to {address}: {_reason(exc)}"
                    continue
            except HTTPError as exc:
                if not watchdog.fired:
                    raise TransportError(_reason(exc)) from None
            except TransportError:
                if not watchdog.fired:
                    raise
        break  # the watchdog ended the exchange: the deadline has passed
    if time.monotonic() >= deadline:
        raise TransportError(f"Timed out: no complete answer within {timeout:g} s.")
    raise TransportError(last_error)


def _send_in_process(handler, request, headers, body, max_response_bytes: int) -> Response:
    started = time.monotonic()
    try:
        status_code, answer_headers, answer = handler(request.method, request.url, headers, body)
    except Exception as exc:
        # As a receiver that fails mid-request: no answer, the attempt is retried.
        raise TransportError(f"the in-process receiver failed: {_reason(exc)}") from exc
    duration_ms = int((time.monotonic() - started) * 1000)
    return Response(status_code, dict(answer_headers), answer[:max_response_bytes], duration_ms)


def _read(response, started: float, max_response_bytes: int) -> Response:
    try:
        body = response.read(max_response_bytes + 1)
    except HTTPError as exc:
        response.close()
        raise TransportError(f"reading the response failed: {_reason(exc)}") from None
    if len(body) > max_response_bytes:
        # Unread bytes remain: close rather than hand a dirty connection back to the pool.
        body = body[:max_response_bytes]
        response.close()
    response.release_conn()
    duration_ms = int((time.monotonic() - started) * 1000)
    return Response(response.status, dict(response.headers), body, duration_ms)


def _host_header(hostname: str, port: int) -> str:
    host = f"[{hostname}]" if ":" in hostname else hostname
    return host if port == 443 else f"{host}:{port}"


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return f"{type(exc).__name__}: {reason}"[:500]

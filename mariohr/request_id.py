"""One id per request, carried into every log line, the Celery tasks it enqueues and the
delivery rows it causes, so one id finds everything one ATS call set off.

The id is accepted from the caller's ``X-Request-ID`` when it is sane (at most 200 URL-safe
characters: a load balancer's or the ATS's own id), generated otherwise, and returned in the
response. A Celery task runs under the id of whatever enqueued it (mariohr/ops_celery.py), or
its own task id when nothing did (beat).
"""

import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar, Token

HEADER = "X-Request-ID"
# RFC 3986's unreserved characters: safe in a URL, a header, a log line and a search box.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")

_current: ContextVar[str] = ContextVar("mariohr_request_id", default="")


def current_request_id() -> str:
    """The id of the request or Celery task being handled; "" outside one."""
    return _current.get()


def request_id_new() -> str:
    # 128 random bits as 32 hex digits, like a UUID4's hex (and a quarter of its cost).
    return secrets.token_hex(16)


def request_id_sane(value: str | None) -> str | None:
    """``value`` if it may be used as a request id as it is, else None."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def request_id_set(value: str) -> Token:
    """Bind ``value`` until ``request_id_restore(token)`` (where a ``with`` cannot span the
    work, as in Celery's prerun and postrun signals)."""
    return _current.set(value)


def request_id_restore(token: Token) -> None:
    try:
        _current.reset(token)
    except ValueError:
        # The token belongs to another context (a pool running prerun and postrun apart).
        _current.set("")


@contextmanager
def request_id_bound(value: str):
    """Make ``value`` the current request id for the duration."""
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """First in MIDDLEWARE and in MARIOHR_PARTNER_API_MIDDLEWARE: a request that passes
    through both keeps the id the outer one gave it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = getattr(request, "request_id", None)
        if value is not None:
            return self.get_response(request)
        value = request_id_sane(request.headers.get(HEADER)) or request_id_new()
        request.request_id = value
        with request_id_bound(value):
            response = self.get_response(request)
        response[HEADER] = value
        return response

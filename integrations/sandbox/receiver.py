"""The built-in fake ATS: stores what it gets, verifies the Standard Webhooks signature with
the sandbox organization's secret the way a customer's receiver would, answers like the ATS.

Two doors, one handler: over HTTP at ``MARIOHR_BASE_URL/sandbox/receiver/<token>/…`` and,
for MarioHR's own deliveries, in process (transport.in_process_route_register) at
``RECEIVER_ORIGIN/<token>/…`` too. RECEIVER_ORIGIN's host is under ``.invalid`` (RFC 2606):
it never resolves, so it is a valid https callback URL at send time that can reach nothing
but this module.
"""

import base64
import hashlib
import hmac
import json
import posixpath
import re
import time
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings

from mariohr.json_safety import UnsafeJSON, json_loads_safe
from mariohr.url_safety import path_is_plain

from ..credentials import webhook_secret_get
from .models import ReceivedCallback, Sandbox

RECEIVER_ORIGIN = "https://receiver.sandbox.mariohr.invalid"
HTTP_PATH = "/sandbox/receiver/"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
SIGNATURE_TOLERANCE_SECONDS = 300
# Kept per sandbox; older captures are deleted as new ones arrive.
KEEP_PER_SANDBOX = 200
# Headers that carry credentials: stored with their scheme only.
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
SECRET_WORDS = ("secret", "token", "api-key", "apikey", "password")
ANSWER_STATUS_PARAM = "answer_status"


def receiver_url(sandbox: Sandbox) -> str:
    """The callback URL (or ATS base URL) to give MarioHR for this sandbox."""
    return f"{RECEIVER_ORIGIN}/{sandbox.receiver_token}/"


def receiver_http_url(sandbox: Sandbox) -> str:
    return f"{settings.MARIOHR_BASE_URL}{HTTP_PATH}{sandbox.receiver_token}/"


def receiver_prefixes() -> list[str]:
    return [f"{RECEIVER_ORIGIN}/", f"{settings.MARIOHR_BASE_URL}{HTTP_PATH}"]


def receiver_target(url: str) -> tuple[str, str] | None:
    """The one reading of a receiver URL, for every door and every check: ``(token, path)``
    (the path after the token, with the query), or None when ``url`` is not the receiver.
    The token is "" for the receiver spelled so that readers could disagree on it (``..``,
    ``%2e``, ``%2F``, ``//``, a backslash, the path's case): no sandbox's."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:  # "https://[x": no URL at all; the SSRF guard says so
        return None
    base = urlsplit(settings.MARIOHR_BASE_URL)
    if host == urlsplit(RECEIVER_ORIGIN).hostname:
        root = "/"
    elif host and host == (base.hostname or "").lower().rstrip("."):
        root = base.path.rstrip("/") + HTTP_PATH
    else:
        return None
    path = unquote(parts.path) or "/"
    if path_is_plain(parts.path) and path.startswith(root):
        token, _, rest = path[len(root) :].partition("/")
        return token, "/" + rest + (f"?{parts.query}" if parts.query else "")
    loose = re.sub(r"[/\\]+", "/", "/" + path).lower()
    if loose.startswith(root.lower()) or posixpath.normpath(loose).startswith(root.rstrip("/")):
        return "", ""
    return None


def in_process_answer(method: str, url: str, headers: dict, body: bytes):
    """The transport's in-process route: (status, headers, body) for MarioHR's delivery."""
    token, path = receiver_target(url) or ("", "")
    if not token:  # not plainly a receiver URL, or MARIOHR_BASE_URL changed since
        return _answer(404, {"error": "not_found", "message": "No sandbox receiver here."})
    return callback_receive(
        token=token, method=method, path=path, headers=headers, body=body, in_process=True
    )


def callback_receive(
    *, token: str, method: str, path: str, headers, body: bytes, in_process: bool = False
) -> tuple[int, dict, bytes]:
    sandboxes = Sandbox.objects.select_related("organization")
    sandbox = (
        sandboxes.filter(receiver_token=token).first() if TOKEN_SHAPE.fullmatch(token) else None
    )
    if sandbox is None:
        return _answer(404, {"error": "not_found", "message": "No sandbox receiver here."})
    if b"\x00" in body or b"\\u0000" in body:
        # PostgreSQL stores neither in text or JSON; a real ATS would not send it either.
        return _answer(400, {"error": "invalid", "message": "The body contains a NUL byte."})
    verified, problem = signature_check(
        secret=webhook_secret_get(organization=sandbox.organization), headers=headers, body=body
    )
    status = _asked_status(path)
    parsed, text = _body_of(body)
    ReceivedCallback.objects.create(
        sandbox=sandbox,
        method=method.upper()[:10],
        path=path[:2000],
        headers=headers_redacted(headers),
        body=parsed,
        body_text=text,
        webhook_id=str(_header(headers, "webhook-id") or "")[:200],
        signature_verified=verified,
        signature_problem=problem[:300],
        answered_status=status,
        in_process=in_process,
    )
    _trim(sandbox)
    return _answer(status, _ats_like_answer(path, status, parsed))


def signature_check(*, secret: str, headers, body: bytes, now: float | None = None):
    """(verified, problem): Standard Webhooks v1, as a customer's receiver checks it."""
    webhook_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not (webhook_id and timestamp and signatures):
        return False, "No webhook-id, webhook-timestamp or webhook-signature header."
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False, "webhook-timestamp is not an integer."
    if abs((now or time.time()) - sent_at) > SIGNATURE_TOLERANCE_SECONDS:
        return False, "webhook-timestamp is more than five minutes away (replayed?)."
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return True, ""
    return False, "No v1 signature matches the organization's webhook signing secret."


def headers_redacted(headers) -> dict:
    kept = {}
    for name, value in dict(headers).items():
        lowered = name.lower()
        if lowered in SECRET_HEADERS or any(word in lowered for word in SECRET_WORDS):
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} [redacted]".strip()
        kept[lowered[:200]] = str(value)[:2000]
    return kept


def _header(headers, name: str) -> str | None:
    return next((v for k, v in dict(headers).items() if k.lower() == name), None)


def _asked_status(path: str) -> int:
    """``?answer_status=401`` makes the receiver answer that status, to try failures."""
    values = parse_qs(urlsplit(path).query).get(ANSWER_STATUS_PARAM) or ["200"]
    try:
        status = int(values[0])
    except ValueError:
        return 200
    return status if 200 <= status <= 599 else 200


def _body_of(body: bytes) -> tuple[object, str]:
    text = body.decode("utf-8", errors="replace")
    try:
        # Not json.loads: NaN, 1e999, a lone surrogate or deep nesting parse, then fail the
        # INSERT (or the stack); such a body is kept as the text it is.
        return json_loads_safe(text), ""
    except UnsafeJSON:
        return None, text[:100_000]


def _ats_like_answer(path: str, status: int, body) -> dict:
    if status >= 300:
        return {
            "error": "simulated",
            "message": f"The sandbox receiver answered {status}, as {ANSWER_STATUS_PARAM} asked.",
        }
    if urlsplit(path).path.endswith("/assessment.update"):
        # Ashby judges its answer by the body: success true or it is an error.
        return {"success": True, "results": {}}
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        return {"data": body["data"]}  # JSON:API (Teamtailor) answers with the resource
    return {"success": True}


def _answer(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _trim(sandbox: Sandbox) -> None:
    old = (
        ReceivedCallback.objects.filter(sandbox=sandbox)
        .order_by("-pk")
        .values_list("pk", flat=True)[KEEP_PER_SANDBOX : KEEP_PER_SANDBOX + 100]
    )
    old = list(old)
    if old:
        ReceivedCallback.objects.filter(pk__in=old).delete()

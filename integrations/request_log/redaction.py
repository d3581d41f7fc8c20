"""What the request log may keep of a body: no secrets, no candidate contact details, a bounded
size. Applied by the worker that writes the log (services.py), before anything is stored;
in the web process only to a body over the cap (buffer.py)."""

import functools
import json
import re
from urllib.parse import parse_qsl

from django.conf import settings

from mariohr.json_safety import UnsafeJSON, json_loads_safe

MASK = "[redacted]"
# Compared with the key lowercased and without "_" or "-": api_key, apiKey and API-Key alike.
SECRET_PARTS = ("apikey", "token", "secret", "password", "signature", "authorization")
# "resume": Greenhouse's and Workable's resume_url is a signed link to the candidate's CV.
CONTACT_PARTS = ("email", "phone", "resume")
CONTACT_KEYS = frozenset(
    ["firstname", "lastname", "name", "fullname", "preferredname", "middlename"]
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
# What PostgreSQL cannot store in JSON (NUL, NaN, infinities) or Python cannot encode (a lone
# surrogate) can only reach a parsed body through these spellings; bodies without any take
# the C parser alone.
UNSTORABLE_SPELLING = re.compile(rb"\\u(0000|[dD][89a-fA-F])|NaN|Infinity|[eE]\+?\d{3}")
# Past the cap, long strings and lists are cut to these before giving up on the body.
SHORT_STRING = 200
SHORT_LIST = 20
# Bodies up to this size are redacted once per distinct content (128 kept: at most 2 MiB).
CACHED_BODY_BYTES = 16384


def redacted_body(raw: bytes | None, *, omitted_bytes: int = 0):
    """The JSON to store for a request or response body (None when there was none)."""
    if omitted_bytes:
        return {"_omitted": f"{omitted_bytes} bytes, too large to log"}
    if not raw:
        return None
    base_url, limit = settings.MARIOHR_BASE_URL, settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES
    if len(raw) <= CACHED_BODY_BYTES:
        # The same bytes come back again and again (list_tests, an ATS polling test_status):
        # redact them once. The result is shared, so it is only ever serialized, never changed.
        return _redacted_body_cached(raw, base_url, limit)
    return _redacted_body(raw, base_url, limit)


def _redacted_body(raw: bytes, base_url: str, limit: int):
    try:
        # Strict UTF-8 first: json.loads(bytes) also takes UTF-16/32 and encoded surrogates,
        # which spell NUL, NaN or a lone surrogate where UNSTORABLE_SPELLING cannot see them
        # (and one unstorable row fails its whole batch's INSERT on PostgreSQL).
        text = raw.decode("utf-8")
        careful = UNSTORABLE_SPELLING.search(raw)
        data = json_loads_safe(text) if careful else json.loads(text)
        return capped(redacted(data, base_url), estimate=len(raw), limit=limit)
    except (UnsafeJSON, ValueError, RecursionError):
        # Never store what could not be parsed: a secret in it could not be found.
        return {"_unparsed": f"{len(raw)} bytes, not storable JSON"}


_redacted_body_cached = functools.lru_cache(maxsize=128)(_redacted_body)


def redacted(data, base_url: str | None = None):
    """``data`` with secret and contact values masked, at any depth."""
    base_url = settings.MARIOHR_BASE_URL if base_url is None else base_url
    if isinstance(data, dict):
        return {
            key: MASK if _is_sensitive(key) else redacted(value, base_url)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [redacted(value, base_url) for value in data]
    if isinstance(data, str):
        if base_url and data.startswith(base_url + "/"):
            # Links MarioHR issues (candidate, report, recording) carry their access token.
            return base_url + "/" + MASK
        return EMAIL.sub(MASK, data) if "@" in data else data
    return data


@functools.lru_cache(maxsize=4096)
def _is_sensitive(key: str) -> bool:
    name = key.lower().replace("_", "").replace("-", "")
    return (
        name in CONTACT_KEYS
        or any(part in name for part in SECRET_PARTS)
        or any(part in name for part in CONTACT_PARTS)
    )


def capped(data, *, estimate: int | None = None, limit: int | None = None):
    """``data`` within MARIOHR_REQUEST_LOG_MAX_BODY_BYTES. ``estimate``: the size it was
    parsed from; masks add a few bytes a value at most, so half the cap needs no measuring."""
    limit = settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES if limit is None else limit
    if estimate is not None and estimate * 2 <= limit:
        return data
    size = _size(data)
    if size <= limit:
        return data
    data = _shortened(data)
    if _size(data) <= limit:
        return data
    return {"_omitted": f"{size} bytes after redaction, over the {limit}-byte cap"}


def _size(data) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode())


def _shortened(data):
    if isinstance(data, dict):
        return {key: _shortened(value) for key, value in data.items()}
    if isinstance(data, list):
        kept = [_shortened(value) for value in data[:SHORT_LIST]]
        if len(data) > SHORT_LIST:
            kept.append(f"… {len(data) - SHORT_LIST} more")
        return kept
    if isinstance(data, str) and len(data) > SHORT_STRING:
        return data[:SHORT_STRING] + "…"
    return data


def redacted_query(query_string: str) -> dict:
    """WSGI's QUERY_STRING as {name: value} (lists when repeated), redacted like a body. Read
    as Django reads request.GET (the bytes as UTF-8, else latin-1), without a QueryDict: a
    fifth of the cost, and no field-count limit to fail on after the call was answered."""
    if not query_string:
        return {}
    raw = query_string.encode("latin-1", "replace")
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lists: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        lists.setdefault(key, []).append(value)
    flat = {key: values[0] if len(values) == 1 else values for key, values in lists.items()}
    return capped(
        redacted(flat), estimate=sum(len(key) + len(str(value)) for key, value in flat.items())
    )

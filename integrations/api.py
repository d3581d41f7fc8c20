"""Request plumbing shared by the partner APIs (kept apart from errors.py, which imports
rest_framework.views: DRF imports these classes while it is itself loading)."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers, permissions, status

from assessments.models import Organization

# Real payloads nest three levels; a cap keeps storing and rendering them cheap and safe.
MAX_NESTING = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class CappedJSONParser(parsers.BaseParser):
    """JSON only, bodies capped at MARIOHR_MAX_REQUEST_BYTES, NaN/Infinity refused.

    Not a JSONParser subclass on purpose: DRF reads ``request.body`` whole for those, and
    Django then answers an oversized body with a bare 400 page instead of our JSON 413.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        cap = settings.MARIOHR_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > cap:
            raise PayloadTooLarge(f"Request body is larger than {cap} bytes.")
        raw = stream.read(cap + 1) if stream is not None else b""
        if len(raw) > cap:
            raise PayloadTooLarge(f"Request body is larger than {cap} bytes.")
        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise exceptions.ParseError(f"Malformed JSON: {exc}") from None
        if _depth_exceeds(data, MAX_NESTING):
            raise exceptions.ParseError(f"JSON is nested deeper than {MAX_NESTING} levels.")
        bad_field = _unstorable_string_path(data)
        if bad_field is not None:
            # JSON may carry \u0000 and lone surrogates (\ud800); PostgreSQL and SQLite cannot
            # store them, so they are refused here rather than failing at save time.
            raise exceptions.ValidationError(
                {bad_field: ["Contains a NUL character or an unpaired surrogate."]}
            )
        return data


def _depth_exceeds(data, limit: int) -> bool:
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _unstorable_string_path(data) -> str | None:
    """The dotted path of the first string (or key) that cannot be stored, or None.
    Iterative: a deeply nested body must not exhaust the interpreter's stack."""
    pending = [(data, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and not _storable(value):
            return path or "body"
        if isinstance(value, dict):
            for key, item in value.items():
                if not _storable(key):
                    return path or "body"
                pending.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]") for i, item in enumerate(value))
    return None


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class IsOrganization(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, Organization)

"""MarioHR's one JSON error shape, and the envelopes ATS plug-ins register for their paths.

The project's 400/404/500 handlers answer API callers from here: an ATS whose contract
demands another envelope registers it for its path prefix (integrations.plugins does it for
every ATS app), so the project never checks paths by ATS name."""

from collections.abc import Callable

Envelope = Callable[[int, str, str], dict]

_envelopes: dict[str, Envelope] = {}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    """{"error": code, "message": text, "fields": {"candidate.email": ["…"]}} (fields optional)."""
    body = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return body


def envelope_register(path_prefix: str, envelope: Envelope) -> None:
    _envelopes[path_prefix] = envelope


def error_json(path: str, status: int, code: str, message: str) -> dict:
    for prefix, envelope in _envelopes.items():
        if path.startswith(prefix):
            return envelope(status, code, message)
    return error_body(code, message)

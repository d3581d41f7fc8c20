"""Workable's error envelope, as its partners answer: {"status": <code>, "message": "…"}.

We add "fields" ({"candidate.email": ["…"]}) when fields are at fault; the contract's two
keys are always there."""

# DRF's codes for a field that is absent (or null where a value is needed).
MISSING = {"required", "null", "blank"}


def envelope(status: int, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    body = {"status": status, "message": message}
    if fields:
        body["fields"] = fields
    return body


def validation_status(codes) -> int:
    """422 when a field is missing, 400 when every field at fault is malformed."""
    return 422 if MISSING & set(_leaves(codes)) else 400


def _leaves(codes):
    if isinstance(codes, dict):
        for value in codes.values():
            yield from _leaves(value)
    elif isinstance(codes, list):
        for value in codes:
            yield from _leaves(value)
    else:
        yield codes

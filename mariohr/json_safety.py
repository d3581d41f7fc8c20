"""Parsing JSON that can be stored: one place for every endpoint that takes a JSON body.

JSON may carry things no database column (and no page) copes with: NaN/Infinity, numbers
that overflow to infinity (1e999), \\u0000 and unpaired surrogates (\\ud800), and nesting
deep enough to exhaust the interpreter's stack. They are refused here, with the field named,
rather than failing later with a 500.
"""

import json
import math

# Real payloads nest three levels; a cap keeps storing and rendering them cheap and safe.
MAX_NESTING = 32


class UnsafeJSON(ValueError):
    """``field`` is None when the body as a whole is not acceptable JSON."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def json_loads_safe(raw: bytes | str, *, max_nesting: int = MAX_NESTING):
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UnsafeJSON(f"Malformed JSON: {exc}") from None
    if _depth_exceeds(data, max_nesting):
        raise UnsafeJSON(f"JSON is nested deeper than {max_nesting} levels.")
    bad_field = _unstorable_string_path(data)
    if bad_field is not None:
        raise UnsafeJSON("Contains a NUL character or an unpaired surrogate.", field=bad_field)
    return data


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


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


def _unstorable_string_path(data) -> str | None:
    """The dotted path of the first string (or key) that cannot be stored, or None.
    Iterative: a deeply nested body must not exhaust the interpreter's stack."""
    pending = [(data, "")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str) and not storable(value):
            return path or "body"
        if isinstance(value, dict):
            for key, item in value.items():
                if not storable(key):
                    return path or "body"
                pending.append((item, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            pending.extend((item, f"{path}[{i}]") for i, item in enumerate(value))
    return None


def storable(text: str) -> bool:
    """False for text no database column or UTF-8 page can hold (NUL, lone surrogates)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

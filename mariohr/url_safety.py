"""Which user-supplied URLs may become links: http and https only.

A stored ``javascript:``, ``data:`` or ``vbscript:`` URL rendered as a link runs in the
reader's session (here: a reviewer's admin session) when clicked. And which URL paths read
the same to every reader (``path_is_plain``).
"""

import re
from urllib.parse import urlsplit

SAFE_SCHEMES = {"http", "https"}


def is_http_url(text) -> bool:
    """True for an absolute http(s) URL with a host and no whitespace or control characters
    (browsers drop tabs and newlines inside a URL, so ``java\\tscript:`` must not pass)."""
    if not isinstance(text, str) or not text:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.hostname)


# Percent-encoded ".", "/", "\" and "%" themselves: a router, a proxy and a prefix check may
# each decode them, or not, and read a different path.
_ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c|25)", re.IGNORECASE)


def path_is_plain(path: str) -> bool:
    """True when every reader sees the same path: no dot-segments, no empty segments (``//``),
    no backslash and no percent-encoded ``.``, ``/``, ``\\`` or ``%``."""
    if "\\" in path or "//" in path or _ENCODED_SEPARATOR.search(path):
        return False
    return not any(segment in (".", "..") for segment in path.split("/"))

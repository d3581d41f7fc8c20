"""One byte range from a ``Range`` header (RFC 9110 section 14), parsed with bounds.

Players seek with single ranges. Numbers are read as digit strings first: ``int()`` of a
5,000-digit value raises (Python caps int parsing at 4,300 digits) and no file is that big,
so any position past 18 digits is simply "beyond the end".
"""

import re
from dataclasses import dataclass

# [0-9], not \d: \d also matches other scripts' digits, which int() would read.
RANGE = re.compile(r"bytes=[ \t]*([0-9]*)-([0-9]*)[ \t]*", re.IGNORECASE)
# Larger than any file we store; stands in for numbers too long to parse.
BEYOND_ANY_FILE = 10**18
MAX_DIGITS = 18


class Unsatisfiable(Exception):
    """A valid range that starts past the end of the file: answer 416."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _position(digits: str) -> int:
    return BEYOND_ANY_FILE if len(digits.lstrip("0")) > MAX_DIGITS else int(digits)


def byte_range_parse(header: str, *, size: int, max_length: int) -> ByteRange | None:
    """The range to send, or None to send the whole file (no header, or one we ignore:
    malformed, several ranges, another unit, last before first). Raises ``Unsatisfiable``.
    At most ``max_length`` bytes are sent; the client asks again for the rest."""
    match = RANGE.fullmatch(header or "")
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first:
        start = _position(first)
        end = size - 1 if not last else min(_position(last), size - 1)
        if last and _position(last) < start:
            return None
    else:
        suffix = _position(last)
        if suffix == 0:
            raise Unsatisfiable
        start, end = max(0, size - suffix), size - 1
    if start >= size:
        raise Unsatisfiable
    return ByteRange(start, min(end, start + max_length - 1))

"""How values go out on the wire: timestamps and scores, the same for every page and partner.

A leaf: it imports nothing from MarioHR's apps, so any of them can use it without a cycle
(import-linter's contracts in pyproject.toml hold that).
"""

from datetime import UTC, datetime
from decimal import Decimal

__all__ = ["iso", "iso_ms", "json_number"]


def iso_ms(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and Z: 2026-05-21T10:00:00.000Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# The reports and candidate pages call it `iso`, the partner contracts `iso_ms`: one format.
iso = iso_ms


def json_number(value: Decimal | None) -> int | float | None:
    """Scores go out as JSON numbers, never strings: 82, or 82.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)

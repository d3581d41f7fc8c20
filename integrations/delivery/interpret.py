"""The default reading of a receiver's answer (Standard Webhooks rules)."""

import email.utils
import time

from .kinds import Outcome

RETRY_AFTER_STATUSES = {429, 503}
# An HTTP date is 29 characters; more seconds than fit in ten digits is no real answer.
MAX_RETRY_AFTER_CHARS = 64
MAX_RETRY_AFTER_DIGITS = 10


def default_outcome(status_code: int, headers) -> Outcome:
    if 200 <= status_code < 300:
        return Outcome.success()
    if status_code == 410:
        return Outcome.stop("410 Gone: the receiver asked us to stop.")
    if 300 <= status_code < 400:
        # Redirects are never followed: the Location could point anywhere, private included.
        return Outcome.retry(f"HTTP {status_code} redirect (not followed).")
    retry_after = None
    if status_code in RETRY_AFTER_STATUSES:
        retry_after = retry_after_seconds(header_get(headers, "Retry-After"))
    return Outcome.retry(
        f"HTTP {status_code}.",
        retry_after=retry_after,
        credentials_problem=status_code in (401, 403),
    )


def header_get(headers, name: str) -> str | None:
    """A header's value by case-insensitive name (the transport hands a plain dict)."""
    name = name.lower()
    return next((v for k, v in dict(headers or {}).items() if str(k).lower() == name), None)


def retry_after_seconds(value) -> float | None:
    """Read Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    # ASCII only: str.isdigit() also accepts "²", which float() refuses.
    if not value.isascii() or len(value) > MAX_RETRY_AFTER_CHARS:
        return None
    if value.isdigit():
        return float(value) if len(value) <= MAX_RETRY_AFTER_DIGITS else None
    try:
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, moment.timestamp() - time.time()) if moment is not None else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None

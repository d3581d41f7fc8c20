"""The default reading of a receiver's answer (Standard Webhooks rules)."""

import email.utils
import time

from .kinds import Outcome

RETRY_AFTER_STATUSES = {429, 503}


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
        retry_after = retry_after_seconds(headers.get("Retry-After"))
    return Outcome.retry(
        f"HTTP {status_code}.",
        retry_after=retry_after,
        credentials_problem=status_code in (401, 403),
    )


def retry_after_seconds(value: str | None) -> float | None:
    """Read Retry-After as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - time.time())

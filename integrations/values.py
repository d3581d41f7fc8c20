"""Value formats shared by the partner contracts."""

from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from assessments.models import Interview
from assessments.reports import json_number

__all__ = ["iso_ms", "json_number", "report_url"]


def iso_ms(moment: datetime | None) -> str | None:
    """ISO 8601 UTC with milliseconds and Z: 2026-05-21T10:00:00.000Z."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def report_url(interview: Interview) -> str:
    """The report link the ATS stores: keyed by the interview's report token, never changes."""
    return f"{settings.MARIOHR_BASE_URL}{reverse('report', args=[interview.report_token])}"

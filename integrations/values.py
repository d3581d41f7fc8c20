"""Value formats shared by the partner contracts."""

from django.conf import settings
from django.urls import reverse

from assessments.models import Interview
from mariohr.formats import iso_ms, json_number

# iso_ms and json_number live in mariohr.formats (a leaf); re-exported for the ATS packages.
__all__ = ["iso_ms", "json_number", "report_url"]


def report_url(interview: Interview) -> str:
    """The report link the ATS stores: keyed by the interview's report token, never changes."""
    return f"{settings.MARIOHR_BASE_URL}{reverse('report', args=[interview.report_token])}"

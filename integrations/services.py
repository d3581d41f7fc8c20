"""Integration-side business rules that are not specific to one ATS."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from assessments.models import Interview, Organization

from .models import ErrorReport

# What test_status shows, recording included: one indexed read, never a second query for
# an interview without a recording (the LEFT JOIN finds none) or with one.
STATUS_COLUMNS = (
    "status",
    "started_at",
    "completed_at",
    "score",
    "max_score",
    "report_token",
    "recording__status",
    "recording__file_name",
    "recording__storage_key",
)


def interview_for_status(*, organization: Organization, partner_interview_id: str):
    """The interview with its recording joined, or None (also for another organization's).

    Read fresh at every call: no cache may serve a status that has since changed."""
    lookup = Interview.objects.filter(
        organization=organization, partner_interview_id=partner_interview_id
    )
    # get() on the unique partner_interview_id: no ORDER BY, as .first() would add.
    try:
        return lookup.select_related("recording").only(*STATUS_COLUMNS).get()
    except Interview.DoesNotExist:
        return None


def error_report_store(*, organization: Organization, data: dict, payload) -> ErrorReport:
    return ErrorReport.objects.create(
        organization=organization,
        api_call=data.get("api_call") or "",
        errors=data["errors"],
        partner_test_id=data.get("partner_test_id") or "",
        partner_test_name=data.get("partner_test_name") or "",
        partner_interview_id=data.get("partner_interview_id") or "",
        candidate_email=data.get("candidate_email") or "",
        payload=payload,
    )


def error_reports_purge() -> int:
    cutoff = timezone.now() - timedelta(days=settings.MARIOHR_ERROR_REPORT_RETENTION_DAYS)
    deleted, _ = ErrorReport.objects.filter(received_at__lt=cutoff).delete()
    return deleted

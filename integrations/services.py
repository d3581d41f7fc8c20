"""Integration-side business rules that are not specific to one ATS."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from assessments.models import Organization

from .models import ErrorReport


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

"""Ashby-specific rules on top of the shared interview engine."""

import secrets

from django.db import transaction

from assessments import services
from assessments.candidate_services import interview_expire_if_overdue
from assessments.models import Interview, Organization, Test

from ..crypto import decrypt, encrypt
from ..sandbox.targets import sandbox_receiver_allowed
from ..ssrf import check_url
from .models import ASHBY_API, AshbySettings

LIVE_STATUSES = [
    Interview.Status.SENT,
    Interview.Status.IN_PROGRESS,
    Interview.Status.SUBMITTED,
]


class AlreadyInProgress(Exception):
    """A live assessment of this type already exists for the Ashby application (409)."""


class NotCancellable(Exception):
    """The assessment finished; cancelling it would rewrite a result (422)."""


def ashby_assessment_start(*, organization: Organization, test: Test, data: dict) -> Interview:
    candidate, application, job = data["candidate"], data["application"], data["job"]
    ats_data = {
        "ashby_candidate_id": candidate["ashby_id"],
        "ashby_profile_url": candidate["ashby_profile_url"],
        "ashby_application_id": application["ashby_id"],
        "ashby_application_status": application["status"],
        "ashby_job_id": job["ashby_id"],
        "ashby_job_name": job["name"],
        "ashby_job_url": job["ashby_job_url"],
        "ashby_req_id": job.get("req_id") or "",
        "hiring_team": job.get("hiringTeam") or [],
        "additional_fields": data.get("additional_fields") or None,
    }
    with transaction.atomic():
        # Serialise starts per organization so two concurrent starts cannot both pass the
        # live-assessment check.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        live = Interview.objects.filter(
            organization=organization,
            test=test,
            source="ashby",
            status__in=LIVE_STATUSES,
            ats_data__ashby_application_id=application["ashby_id"],
        )
        # One past its deadline that the periodic sweep has not expired yet is not live.
        current = [interview_expire_if_overdue(interview=interview) for interview in live]
        if any(interview.status in LIVE_STATUSES for interview in current):
            raise AlreadyInProgress
        interview, _ = services.interview_send(
            organization=organization,
            test=test,
            candidate=services.CandidateData(
                first_name=candidate["first_name"],
                last_name=candidate["last_name"],
                email=candidate["email"],
                profile_url=candidate["ashby_profile_url"],
                ats_candidate_id=candidate["ashby_id"],
                ats_application_id=application["ashby_id"],
            ),
            source="ashby",
            ats_data=ats_data,
        )
    return interview


def ashby_assessment_cancel(*, interview: Interview) -> Interview:
    """Cancel; idempotent. An assessment already complete cannot be cancelled (NotCancellable);
    one already expired stays expired (the link no longer works either way)."""
    if interview.status == Interview.Status.COMPLETE:
        raise NotCancellable
    if interview.status == Interview.Status.EXPIRED:
        return interview
    try:
        return services.interview_cancel(interview=interview)
    except services.IllegalTransition:
        # Scored or expired a moment ago: answer from the state it is in now.
        interview.refresh_from_db()
        if interview.status == Interview.Status.COMPLETE:
            raise NotCancellable from None
        return interview


def ashby_credentials_set(
    *, organization: Organization, api_key: str, base_url: str | None = None
) -> None:
    """Store the customer's Ashby API key (encrypted) and, optionally, the API base URL."""
    api_key = (api_key or "").strip()
    if not api_key or ":" in api_key or len(api_key) > 500:
        raise ValueError("The Ashby API key must be non-empty, without ':', at most 500 chars.")
    if base_url:
        base_url = ashby_base_url_check(base_url, organization=organization)
    settings_row = ashby_settings_get(organization=organization)
    if base_url:
        settings_row.base_url = base_url
    settings_row.api_key_encrypted = encrypt(api_key)
    settings_row.save()


def ashby_base_url_check(base_url: str, *, organization: Organization | None) -> str:
    """The SSRF guard; and the built-in receiver only for a sandbox's own (the API key goes
    wherever this points). Returns it without a trailing slash; raises UnsafeURL."""
    base_url = base_url.rstrip("/")
    check_url(base_url + "/assessment.update", require_resolution=False)
    sandbox_receiver_allowed(base_url + "/", organization=organization)
    return base_url


def ashby_sandbox_configure(*, organization: Organization, receiver_url: str) -> list[str]:
    """A sandbox twin's updates go to its receiver with a key of its own; a key already set
    (and the base URL with it) stays."""
    settings_row = AshbySettings.objects.filter(organization=organization).first()
    if settings_row is not None and decrypt(settings_row.api_key_encrypted):
        return []
    keep_base = settings_row is not None and settings_row.base_url.rstrip("/") != ASHBY_API
    ashby_credentials_set(
        organization=organization,
        api_key=f"sandbox-{secrets.token_urlsafe(24)}",
        base_url=None if keep_base else receiver_url,
    )
    return ["Ashby: assessment.update goes to the receiver, with an API key of the sandbox's."]


def ashby_settings_get(*, organization: Organization) -> AshbySettings:
    settings_row, _ = AshbySettings.objects.get_or_create(organization=organization)
    return settings_row

"""Workable's POST /assessments on top of the shared intake."""

from dataclasses import dataclass

from django.db import transaction

from assessments.models import Interview, Organization

from ..intake import CandidateData, interview_start
from .delivery import workable_pending_create
from .models import SOURCE


@dataclass(frozen=True)
class CreatedAssessment:
    interview: Interview
    created: bool


def workable_assessment_create(*, organization: Organization, data: dict) -> CreatedAssessment:
    """Create the interview and invite the candidate, or return the interview this callback
    URL already has (Workable retrying). A new one is reported pending at once.

    Raises ``integrations.intake.UnknownTest`` and ``assessments.services.CallbackUrlTaken``."""
    candidate = data["candidate"]
    ats_data = {
        "workable_test_id": data["test_id"],
        "workable_job_shortcode": data.get("job_shortcode") or "",
        "workable_job_title": data.get("job_title") or "",
        "workable_job_id": data.get("job_id") or "",
        "workable_candidate_id": candidate.get("id") or "",
    }
    with transaction.atomic():
        interview, created = interview_start(
            organization=organization,
            source=SOURCE,
            partner_test_id=data["test_id"],
            candidate=CandidateData(
                first_name=candidate.get("first_name") or "",
                last_name=candidate.get("last_name") or "",
                email=candidate["email"],
                phone_number=candidate.get("phone") or "",
                resume_url=candidate.get("resume_url") or "",
                ats_candidate_id=candidate.get("id") or "",
            ),
            callback_url=data["callback_url"],
            ats_data={key: value for key, value in ats_data.items() if value},
        )
        if created:
            workable_pending_create(interview)
    return CreatedAssessment(interview, created)

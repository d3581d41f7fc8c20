"""The sample assessment.update for the admin's "Send a test callback" (AtsAppConfig hook)."""

from django.conf import settings
from django.utils import timezone

from assessments.models import Organization

from ..crypto import decrypt
from ..delivery import kinds
from ..plugins import SAMPLE_NOTE, SAMPLE_PARTNER_INTERVIEW_ID
from .delivery import AshbyNotConfigured
from .models import AshbySettings
from .payloads import typed


def sample_request(organization: Organization, url: str) -> kinds.OutboundRequest:
    settings_row = AshbySettings.objects.filter(organization=organization).first()
    api_key = decrypt(settings_row.api_key_encrypted) if settings_row else ""
    if not api_key:
        raise AshbyNotConfigured(
            f"No Ashby API key is configured for {organization}: set it in the admin "
            "(Ashby settings) first."
        )
    # The shape of payloads.assessment_update_payload for a completed assessment.
    body = {
        "assessment_id": SAMPLE_PARTNER_INTERVIEW_ID,
        "timestamp": int(timezone.now().timestamp() * 1000),
        "assessment_status": typed("status", "Status", "string", "Completed"),
        "cancelled_reason": None,
        "assessment_result": typed("score", "Score", "numeric_score", 87),
        "assessment_profile_url": typed("report", "Report", "url", f"{settings.MARIOHR_BASE_URL}/"),
        "metadata": [
            typed("max-score", "Max Score", "numeric_score", 100),
            typed("test-callback", "Test callback", "string", SAMPLE_NOTE),
        ],
    }
    return kinds.OutboundRequest(
        method="POST",
        url=url,
        json_body=body,
        basic_auth=(api_key, ""),
        headers={
            "Accept": "application/json; version=1",
            "User-Agent": f"MarioHR/1.0 (+{settings.MARIOHR_BASE_URL})",
        },
    )

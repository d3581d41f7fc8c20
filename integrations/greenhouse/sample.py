"""The sample results PATCH for the admin's "Send a test callback" (AtsAppConfig hook)."""

from django.conf import settings
from django.utils import timezone

from assessments.models import Organization

from ..delivery import kinds
from ..plugins import SAMPLE_NOTE, SAMPLE_PARTNER_INTERVIEW_ID
from ..values import iso_ms
from .credentials import outbound_credentials_get


def sample_request(organization: Organization, url: str) -> kinds.OutboundRequest:
    # The shape of payloads.results_patch_payload for a scored interview; no interview exists.
    return kinds.OutboundRequest(
        method="PATCH",
        url=url,
        json_body={
            "partner_interview_id": SAMPLE_PARTNER_INTERVIEW_ID,
            "partner_status": "complete",
            "partner_score": 87,
            "partner_profile_url": f"{settings.MARIOHR_BASE_URL}/",
            "metadata": {
                "Completed At": iso_ms(timezone.now()),
                "Final Total": "87/100",
                "Test callback": SAMPLE_NOTE,
            },
            "recording_url": None,
            "report": {"test_callback": True, "note": SAMPLE_NOTE},
        },
        # As the real PATCH: unauthenticated when the organization set no credentials.
        basic_auth=outbound_credentials_get(organization=organization),
    )

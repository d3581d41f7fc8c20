"""The sample partner-result PUT for the admin's "Send a test callback" (AtsAppConfig hook)."""

from django.conf import settings

from assessments.models import Organization

from ..delivery import kinds
from ..plugins import SAMPLE_NOTE
from ..ssrf import UnsafeURL
from .delivery import API_VERSION, TeamtailorNotConfigured
from .payloads import OVERALL_CRITERION
from .services import teamtailor_settings_of, update_url_check


def sample_request(organization: Organization, url: str) -> kinds.OutboundRequest:
    settings_row = teamtailor_settings_of(organization=organization)
    api_key = settings_row.api_key() if settings_row else ""
    if not api_key:
        raise TeamtailorNotConfigured(
            f"No Teamtailor partner API key is configured for {organization}: set it in the "
            "admin (Teamtailor settings) first."
        )
    try:
        # The partner key only ever goes to Teamtailor's hosts, test or not.
        update_url_check(url, settings_row=settings_row, organization=organization)
    except UnsafeURL as problem:
        raise TeamtailorNotConfigured(
            f"Not sent with the Teamtailor API key: the URL {problem}"
        ) from None
    # The shape of payloads.result_put_body for a completed result.
    attributes = {
        "status": "completed",
        "summary": SAMPLE_NOTE,
        "url": f"{settings.MARIOHR_BASE_URL}/",
        "assessment": {"score": 87, "grade": "top_fit", "duration": 3723},
        "details": {"Final total": "87/100", "Test callback": "yes"},
        "assessment-criteria": [{"id": OVERALL_CRITERION, "score": 87}],
    }
    return kinds.OutboundRequest(
        method="PUT",
        url=url,
        json_body={"data": {"type": "partner-results", "id": "", "attributes": attributes}},
        headers={
            "Authorization": f"Token {api_key}",
            "X-Api-Version": API_VERSION,
            "Content-Type": "application/vnd.api+json",
            "Accept": "application/vnd.api+json",
        },
    )

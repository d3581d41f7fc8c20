"""The sample results PUT for the admin's "Send a test callback" (AtsAppConfig hook)."""

from django.conf import settings

from assessments.models import Organization

from ..delivery import kinds
from ..plugins import SAMPLE_NOTE
from .credentials import (
    CallbackNotAllowed,
    callback_domain_of,
    callback_url_check,
    workable_results_token,
)
from .delivery import CallbackNotCovered, WorkableNotConfigured
from .models import WorkableSettings
from .payloads import COMPLETED


def sample_request(organization: Organization, url: str) -> kinds.OutboundRequest:
    settings_row = WorkableSettings.objects.filter(organization=organization).first()
    token = workable_results_token(settings_row)
    if not token:
        raise WorkableNotConfigured(
            f"No Workable token is configured for {organization}: set it in the admin "
            "(Workable settings) first."
        )
    try:
        # The token only ever goes to the organization's Workable domain, test or not.
        callback_url_check(url, domain=callback_domain_of(settings_row), organization=organization)
    except CallbackNotAllowed as exc:
        raise CallbackNotCovered(f"Not sent with the Workable token: the URL {exc}") from None
    link = f"{settings.MARIOHR_BASE_URL}/"
    # The shape of payloads.results_put_payload for a completed assessment.
    body = {
        "status": COMPLETED,
        "results_url": link,
        "assessment": {
            "score": "87",
            "grade": "passed",
            "summary": SAMPLE_NOTE,
            "details": {"Test callback": 1},
            "duration": "01:02:03",
        },
        "attachments": [{"description": "Full report", "url": link}],
    }
    return kinds.OutboundRequest(
        method="PUT",
        url=url,
        json_body=body,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )

"""The sample report PATCH for the admin's "Send a test callback" (AtsAppConfig hook)."""

from django.conf import settings
from django.utils import timezone

from assessments.models import Organization
from integrations.delivery import kinds
from integrations.ssrf import UnsafeURL
from integrations.values import iso_ms

from . import conf
from .delivery import SECRET_HEADER, RecruiteeNotConfigured
from .services import api_base_check, partner_for


def sample_request(organization: Organization, url: str) -> kinds.OutboundRequest:
    partner = partner_for(organization=organization, target=url)
    if not partner.secret:
        raise RecruiteeNotConfigured(
            "No Recruitee partner secret is configured: set MARIOHR_RECRUITEE_PARTNER_SECRET "
            f"for the deployment, or {organization}'s Recruitee settings in the admin."
        )
    try:
        # The partner secret only ever goes to Recruitee's API hosts, test or not.
        api_base_check(url, organization=organization)
    except UnsafeURL as problem:
        raise RecruiteeNotConfigured(
            f"Not sent with the Recruitee partner secret: the URL {problem}"
        ) from None
    # The shape of payloads.report_patch_payload for a completed report; Recruitee takes no
    # free text, so only the header and the report link say it is a test.
    body = {"status": "completed", "score": "87/100", "completed_at": iso_ms(timezone.now())}
    key = conf.report_link_key()
    if key:
        body["urls"] = {key: f"{settings.MARIOHR_BASE_URL}/"}
    return kinds.OutboundRequest(
        method="PATCH",
        url=url,
        json_body=body,
        headers={
            SECRET_HEADER: partner.secret,
            "Accept": "application/json",
            "User-Agent": f"MarioHR/1.0 (+{settings.MARIOHR_BASE_URL})",
        },
    )

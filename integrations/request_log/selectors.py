from .. import plugins
from .models import PartnerRequest


def last_inbound_by_ats(organization) -> dict[str, PartnerRequest]:
    """The latest logged call of ``organization`` for each ATS it has called (one indexed read
    per ATS, through request_log_org_ats_latest)."""
    latest = {}
    for ats in plugins.all_ats():
        row = (
            PartnerRequest.objects.filter(organization=organization, ats=ats.ats_name)
            .order_by("-created_at")
            .first()
        )
        if row is not None:
            latest[ats.ats_name] = row
    return latest

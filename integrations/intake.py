"""Candidate and interview creation from a request any ATS plug-in has normalized: the
test looked up in the organization's catalog, the source checked against the registry, the
create idempotent per callback URL."""

from assessments.models import Interview, Organization
from assessments.services import CandidateData, interview_send

from .catalog import catalog_test_get

__all__ = ["CandidateData", "UnknownTest", "interview_start"]


class UnknownTest(LookupError):
    """The test id is not in the organization's catalog (unknown or disabled)."""

    def __init__(self, partner_test_id: str):
        super().__init__(f"Unknown or disabled test '{partner_test_id}'.")
        self.partner_test_id = partner_test_id


def interview_start(
    *,
    organization: Organization,
    source: str,
    partner_test_id: str,
    candidate: CandidateData,
    callback_url: str = "",
    sent_by: str = "",
    ats_data: dict | None = None,
) -> tuple[Interview, bool]:
    """``(interview, created)``; a repeat with the same callback URL returns the first one."""
    test = catalog_test_get(organization=organization, partner_test_id=partner_test_id)
    if test is None:
        raise UnknownTest(partner_test_id)
    return interview_send(
        organization=organization,
        test=test,
        candidate=candidate,
        source=source,
        callback_url=callback_url,
        sent_by=sent_by,
        ats_data=ats_data,
    )

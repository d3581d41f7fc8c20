"""Pure builders: interview in, Greenhouse-contract dict out."""

from assessments.models import Interview
from assessments.reports import report_build

from ..values import iso_ms, json_number, report_url


def status_metadata(interview: Interview, *, recording_url: str | None) -> dict:
    """The flat metadata Greenhouse shows as labels; only keys whose value is known."""
    metadata = {}
    if interview.started_at:
        metadata["Started At"] = iso_ms(interview.started_at)
    if interview.completed_at:
        metadata["Completed At"] = iso_ms(interview.completed_at)
    if interview.score is not None and interview.max_score is not None:
        metadata["Final Total"] = (
            f"{json_number(interview.score)}/{json_number(interview.max_score)}"
        )
    if recording_url:
        # A fresh expiring link at every poll; the report page is the lasting way to it.
        metadata["Recording"] = recording_url
    return metadata


def test_status_payload(interview: Interview, *, recording_url: str | None) -> dict:
    # Greenhouse treats anything but "complete" as not done, so "complete" means scored.
    metadata = status_metadata(interview, recording_url=recording_url)
    payload = {"partner_status": interview.status, "metadata": metadata}
    if interview.status == Interview.Status.COMPLETE:
        payload["partner_profile_url"] = report_url(interview)
        payload["partner_score"] = json_number(interview.score)
    return payload


def results_patch_payload(interview: Interview) -> dict:
    """The results PATCH body: test_status plus routing id, recording and report."""
    report = report_build(interview)
    recording_url = (report["recording"] or {}).get("url")
    return {
        "partner_interview_id": interview.partner_interview_id,
        "partner_score": None,
        "partner_profile_url": None,
        **test_status_payload(interview, recording_url=recording_url),
        "recording_url": recording_url,
        "report": report,
    }

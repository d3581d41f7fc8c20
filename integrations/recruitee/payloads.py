"""Pure builders for Recruitee's report PATCH (interview + event in, dict out).

Recruitee wants only the fields that change. Its four statuses: ``sent`` (set by Recruitee
at creation), ``completed``, ``failed`` (no MarioHR test has a pass mark, so never sent) and
``canceled``; there is nothing for "started" or "submitted"."""

from assessments.models import Interview
from integrations.values import iso_ms, json_number, report_url

from . import conf

S = Interview.Status
REPORT_STATUS = {
    S.SENT: "sent",
    S.IN_PROGRESS: "sent",
    S.SUBMITTED: "sent",
    S.COMPLETE: "completed",
    S.EXPIRED: "canceled",
    S.CANCELLED: "canceled",
}
REPORT_STATUSES = ("sent", "completed", "failed", "canceled")


def score_text(interview: Interview) -> str:
    """Recruitee shows the score as given: "82/100", or "82" when there is no maximum."""
    score = json_number(interview.score)
    if interview.max_score is None:
        return str(score)
    return f"{score}/{json_number(interview.max_score)}"


def report_patch_payload(interview: Interview, event: dict) -> dict:
    status = event.get("status") or interview.status
    payload = {"status": REPORT_STATUS[status]}
    # The score belongs only to the news that it exists; the interview may have moved on
    # (a correction) by the time a retry is built: the current score is the one to show.
    if status == S.COMPLETE and interview.status == S.COMPLETE and interview.score is not None:
        payload["score"] = score_text(interview)
        payload["completed_at"] = iso_ms(interview.completed_at or interview.scored_at)
        key = conf.report_link_key()
        if key:
            # The report page, which also plays the recording: a lasting link, where a
            # presigned recording URL would expire inside Recruitee.
            payload["urls"] = {key: report_url(interview)}
    return payload

"""Pure builders for Ashby's assessment.update body (interview + event in, dict out).

Every typed field has one of Ashby's five types with a value of the matching JSON type, and
identifiers are unique within a payload and stable across updates.
"""

from django.utils.text import slugify

from assessments.integrity import signals_summary
from assessments.models import Interview
from assessments.recordings.services import recording_url_for
from assessments.reports import report_build

from ..values import iso_ms, json_number, report_url

S = Interview.Status
STATUS_LABELS = {
    S.SENT: "Invited",
    # "Started" is the value that makes Ashby record the start time.
    S.IN_PROGRESS: "Started",
    S.SUBMITTED: "Submitted",
    S.COMPLETE: "Completed",
    S.EXPIRED: "Expired",
    S.CANCELLED: "Cancelled",
}
CANCELLED_REASONS = {
    S.CANCELLED: "The assessment was cancelled.",
    S.EXPIRED: "The candidate did not complete the assessment before it expired.",
}
SIGNALS_SHOWN = {S.SUBMITTED, S.COMPLETE, S.EXPIRED}
FIELD_TYPES = {"numeric_score", "numeric_duration_minutes", "url", "string", "boolean_success"}


def typed(identifier: str, label: str, type_: str, value, description: str = "") -> dict:
    assert type_ in FIELD_TYPES, type_
    field = {"identifier": identifier, "label": label, "type": type_, "value": value}
    if description:
        field["description"] = description
    return field


def epoch_ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def initial_update_request(interview: Interview) -> dict:
    """The inline update_request answered by assessment.start: the assessment was sent."""
    return assessment_update_payload(
        interview, {"status": interview.status, "timestamp": epoch_ms(interview.sent_at)}
    )


def assessment_update_payload(interview: Interview, event: dict) -> dict:
    status = event["status"]
    payload = {
        "assessment_id": interview.partner_interview_id,
        "timestamp": int(event["timestamp"]),
        "assessment_status": typed("status", "Status", "string", STATUS_LABELS[status]),
        "cancelled_reason": CANCELLED_REASONS.get(status),
        "metadata": _metadata(interview, status),
    }
    if status == S.COMPLETE and interview.score is not None:
        # assessment_result tells Ashby the assessment is complete; it then needs the link.
        payload["assessment_result"] = typed(
            "score", "Score", "numeric_score", json_number(interview.score)
        )
        payload["assessment_profile_url"] = typed("report", "Report", "url", report_url(interview))
    return payload


def _metadata(interview: Interview, status: str) -> list[dict]:
    fields = []
    if interview.max_score is not None:
        fields.append(
            typed("max-score", "Max Score", "numeric_score", json_number(interview.max_score))
        )
    finished_at = interview.submitted_at or interview.completed_at
    if interview.started_at and finished_at:
        minutes = max(0, round((finished_at - interview.started_at).total_seconds() / 60))
        fields.append(typed("duration", "Time taken", "numeric_duration_minutes", minutes))
    if status == S.SENT and interview.status == S.SENT:
        # The invitation's deadline: new after an extension, a reopen or a retake.
        fields.append(typed("expires-at", "Expires at", "string", iso_ms(interview.expires_at)))
    if interview.started_at and status in SIGNALS_SHOWN:
        # Counts for the hiring team to weigh; the label says they are not a verdict.
        summary = signals_summary(interview.events.all())
        fields.append(typed("integrity-signals", summary["label"], "string", summary["summary"]))
    fields.extend(_breakdown_fields(interview, status))
    recording = recording_url_for(interview)
    if recording:
        fields.append(typed("recording", "Session recording", "url", recording))
    return fields


def _breakdown_fields(interview: Interview, status: str) -> list[dict]:
    # Only the update that reports the score carries its breakdown, even when an earlier
    # update is sent (retried) after scoring.
    if status != S.COMPLETE or interview.status != S.COMPLETE:
        return []
    fields, seen = [], {"status", "score", "report", "max-score", "duration", "recording"}
    for item in report_build(interview).get("breakdown") or []:
        name = str(item.get("criterion") or item.get("name") or item.get("label") or "")
        points = item.get("points", item.get("score"))
        if not name or not isinstance(points, int | float) or isinstance(points, bool):
            continue
        identifier = "criterion-" + (slugify(name) or str(len(fields)))
        while identifier in seen:
            identifier += "-x"
        seen.add(identifier)
        maximum = item.get("max_points", item.get("max_score"))
        label = f"{name} (out of {maximum})" if maximum is not None else name
        fields.append(typed(identifier, label, "numeric_score", points))
    return fields

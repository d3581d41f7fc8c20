"""Pure builders for Teamtailor's wire format (interview in, dict out): the partner-result
attributes, the PUT body, the trigger form (/config) and the activation form."""

from decimal import ROUND_HALF_UP, Decimal

from assessments.models import Interview
from assessments.recordings.services import recording_url_for
from assessments.reports import report_build

from .. import grades
from ..catalog import CatalogEntry
from ..values import json_number, report_url

S = Interview.Status
# Teamtailor's result statuses are sending|sent|pending|completed|failed: no cancelled or
# expired, so those are "failed" and the summary says which.
RESULT_STATUS = {
    S.SENT: "sent",
    S.IN_PROGRESS: "pending",
    S.SUBMITTED: "pending",
    S.COMPLETE: "completed",
    S.EXPIRED: "failed",
    S.CANCELLED: "failed",
}
# Highest first: at or above top fit, at or above might be fit, below it.
FIT_GRADES = ("top_fit", "might_be_fit", "might_not_be_fit")
SUMMARIES = {
    S.SENT: "Invitation sent: waiting for the candidate to start {test}.",
    S.IN_PROGRESS: "The candidate started {test}.",
    S.SUBMITTED: "The candidate submitted {test}; it is being scored.",
    S.EXPIRED: "Expired: the candidate did not complete {test} in time.",
    S.CANCELLED: "Cancelled in MarioHR: {test} can no longer be taken.",
}
SUMMARY_CHARS = 150  # what the candidate card shows
TEST_FIELD = "test"  # the /config field whose answer names the test in webhook-data
OVERALL_CRITERION = "overall"
API_KEY_FIELD = "api_key"  # the activation form's field holding the MarioHR API key
VALIDATE_PATH = "activation/validate"


def score_percent(interview: Interview) -> int | None:
    """The score on Teamtailor's 0-100 scale, or None when there is none to scale."""
    if interview.score is None or not interview.max_score:
        return None
    percent = (Decimal(interview.score) * 100 / Decimal(interview.max_score)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    )
    return max(0, min(100, int(percent)))


def grade_of(percent: int | None, *, top_fit: int, might_be_fit: int) -> str | None:
    return grades.grade_of(percent, upper=top_fit, lower=might_be_fit, names=FIT_GRADES)


def duration_seconds(interview: Interview) -> int | None:
    finished_at = interview.submitted_at or interview.completed_at
    if not interview.started_at or not finished_at:
        return None
    return max(0, int((finished_at - interview.started_at).total_seconds()))


def summary_of(interview: Interview, percent: int | None) -> str:
    test = interview.test.name
    if interview.status == S.COMPLETE:
        text = f"Scored {percent}/100 on {test}." if percent is not None else f"Scored {test}."
    else:
        text = SUMMARIES[interview.status].format(test=test)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


def result_attributes(interview: Interview, *, grades: tuple[int, int] = (80, 50)) -> dict:
    """The partner result as it stands now; every update carries the whole state, so a
    retried or replayed PUT can never roll Teamtailor's card back."""
    percent = score_percent(interview) if interview.status == S.COMPLETE else None
    attributes = {
        "status": RESULT_STATUS[interview.status],
        "summary": summary_of(interview, percent),
        "url": report_url(interview),
    }
    if interview.status == S.COMPLETE:
        top_fit, might_be_fit = grades
        attributes["assessment"] = {
            "score": percent,
            "grade": grade_of(percent, top_fit=top_fit, might_be_fit=might_be_fit),
            "duration": duration_seconds(interview),
        }
        attributes["details"] = _details(interview)
        if percent is not None:
            attributes["assessment-criteria"] = [{"id": OVERALL_CRITERION, "score": percent}]
    # The recording's own links expire; the report page makes a fresh one at every visit.
    if interview.status in (S.COMPLETE, S.EXPIRED) and recording_url_for(interview):
        attributes["attachments"] = [
            {"url": report_url(interview) + "#recording", "description": "Session recording"}
        ]
    return attributes


def _details(interview: Interview) -> dict:
    """At most two levels deep (Teamtailor's limit): label → text."""
    details = {}
    if interview.score is not None:
        total = json_number(interview.score)
        maximum = json_number(interview.max_score)
        details["Final total"] = f"{total}/{maximum}" if maximum is not None else f"{total}"
    duration = duration_seconds(interview)
    if duration is not None:
        details["Time taken"] = f"{duration // 3600}:{duration // 60 % 60:02d}:{duration % 60:02d}"
    for line in report_build(interview).get("breakdown") or []:
        label = str(line.get("label") or "").strip()[:100]
        if not label or label in details or line.get("points") is None:
            continue
        points, maximum = line["points"], line.get("max_points")
        details[label] = f"{points}/{maximum}" if maximum is not None else f"{points}"
    return details


def result_put_body(interview: Interview, *, grades: tuple[int, int] = (80, 50)) -> dict:
    return {
        "data": {
            "type": "partner-results",
            "id": interview.ats_data.get("teamtailor_partner_result_id", ""),
            "attributes": result_attributes(interview, grades=grades),
        }
    }


def webhook_answer(interview: Interview) -> dict:
    """What the webhook answers: Teamtailor updates the result from it at once."""
    return {"partner_result_attributes": result_attributes(interview)}


def trigger_config(catalog: list[CatalogEntry]) -> dict:
    """The form a recruiter fills in when setting up a trigger: which test to send."""
    if not catalog:
        return config_error(
            "No MarioHR tests are enabled for your account: ask your MarioHR account manager."
        )
    return {
        "config": {
            "fields": [
                {
                    "id": TEST_FIELD,
                    "label": "Test",
                    "placeholder": "Select test",
                    "type": "select",
                    "required": True,
                    "options": [
                        {"id": entry.partner_test_id, "label": entry.name} for entry in catalog
                    ],
                }
            ],
            "assessment-criteria": [{"id": OVERALL_CRITERION, "label": "Overall score"}],
        }
    }


def config_error(message: str) -> dict:
    # Teamtailor renders an "error" field as a red alert in the trigger form.
    return {"config": {"fields": [{"type": "error", "message": message}]}}


def activation_config() -> dict:
    """The activation form: the customer's admin pastes the organization's MarioHR API key,
    which Teamtailor then sends inside the provider key (a JWT) with every call."""
    return {
        "config": {
            "fields": [
                {
                    "type": "infobox",
                    "icon": "info",
                    "content": "Paste the API key your MarioHR account manager gave you. "
                    "Tests are then chosen per trigger.",
                },
                {
                    "id": API_KEY_FIELD,
                    "type": "password",
                    "label": "MarioHR API key",
                    "required": True,
                    "description": "Starts with mhr_.",
                },
            ]
        },
        "validateEndpoint": VALIDATE_PATH,
    }

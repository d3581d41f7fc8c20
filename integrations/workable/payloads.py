"""Pure builders for Workable's results PUT (interview in, dict out).

Shapes from the contract (shared/contracts/workable.md): the score is a string, the grade
one of failed | passed | excelled, ``details`` a flat {criterion: points} object and the
duration "HH:MM:SS". Workable has no "in progress" status.
"""

from decimal import Decimal

from assessments.models import Interview
from assessments.reports import report_build

from ..grades import grade_of
from ..values import json_number, report_url

S = Interview.Status
PENDING, COMPLETED, REJECTED, EXPIRED = "pending", "completed", "rejected", "expired"
# Workable's status for each of ours that it has one for. A cancelled assessment will never
# be taken: "rejected" is the contract's only terminal status for that.
WORKABLE_STATUS = {
    S.SENT: PENDING,
    S.COMPLETE: COMPLETED,
    S.EXPIRED: EXPIRED,
    S.CANCELLED: REJECTED,
}
GRADES = ("failed", "passed", "excelled")


def workable_status_of(status: str) -> str | None:
    return WORKABLE_STATUS.get(status)


def grade(
    score: Decimal | None, max_score: Decimal | None, *, pass_percent: int, excel_percent: int
) -> str | None:
    if score is None or not max_score:
        return None
    percent = Decimal(score) * 100 / Decimal(max_score)
    return grade_of(percent, upper=excel_percent, lower=pass_percent, names=GRADES[::-1])


def duration_hms(interview: Interview) -> str | None:
    finished_at = interview.submitted_at or interview.completed_at
    if not interview.started_at or not finished_at:
        return None
    seconds = max(0, int((finished_at - interview.started_at).total_seconds()))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def results_put_payload(
    interview: Interview, *, status: str, pass_percent: int = 50, excel_percent: int = 85
) -> dict:
    """The body for ``status`` (a Workable status); results only with "completed"."""
    if status != COMPLETED:
        return {"status": status}
    report = report_build(interview)
    details = {}
    for line in report["breakdown"]:
        if line["label"] and line["points"] is not None:
            details[line["label"]] = line["points"]
    assessment = {
        "score": _score_text(interview.score),
        "grade": grade(
            interview.score,
            interview.max_score,
            pass_percent=pass_percent,
            excel_percent=excel_percent,
        ),
        "summary": _summary(interview, report),
        "details": details,
        "duration": duration_hms(interview),
    }
    link = report_url(interview)
    attachments = [{"description": "Full report", "url": link}]
    recording = (report["recording"] or {}).get("url")
    if recording:
        attachments.append({"description": "Session recording", "url": recording})
    return {
        "status": COMPLETED,
        "results_url": link,
        "assessment": {key: value for key, value in assessment.items() if value is not None},
        "attachments": attachments,
    }


def _score_text(score: Decimal | None) -> str | None:
    # Workable takes the score as text: "82", "82.5".
    number = json_number(score)
    return None if number is None else str(number)


def _summary(interview: Interview, report: dict) -> str:
    test = interview.test.name
    if interview.score is None:
        return f"{test}: not scored."
    total = f"{json_number(interview.score)}"
    if interview.max_score:
        total += f" out of {json_number(interview.max_score)}"
    summary = f"{test}: {total}."
    if report.get("scored_by"):
        summary += f" Reviewed by {report['scored_by']}."
    return summary

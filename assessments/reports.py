"""The report: one builder for the report page's JSON and the results callback's `report`.

It must never carry a secret: no candidate token, no environment field marked secret, no
value whose name says password, token, key or secret.
"""

from decimal import Decimal

from .models import Interview


def report_build(interview: Interview) -> dict:
    return {
        "partner_interview_id": interview.partner_interview_id,
        "candidate": {
            "name": interview.candidate.display_name,
            "email": interview.candidate.email,
        },
        "test": {
            "partner_test_id": interview.test.partner_test_id,
            "name": interview.test.name,
            "kind": interview.test.kind,
        },
        "status": interview.status,
        "score": json_number(interview.score),
        "max_score": json_number(interview.max_score),
        "breakdown": [],
        "transcript": [],
        "fields": {},
    }


def json_number(value: Decimal | None) -> int | float | None:
    """Scores go out as JSON numbers, never strings: 82, or 82.5."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)

"""Recruitee's error answers. Its docs only say 401/403 for a bad token and a 4xx with a
message it may show the recruiter; so: MarioHR's shape, with ``message`` one sentence naming
the fields, and 422 (not 400) for input a recruiter can fix."""

from mariohr.api_errors import error_body

# Field names as a recruiter reads them in Recruitee's send dialog.
FIELD_LABELS = {
    "first_name": "the candidate's first name",
    "last_name": "the candidate's last name",
    "email": "the candidate's email",
    "phone": "the candidate's phone",
    "candidate_id": "the Recruitee candidate id",
    "company_id": "the Recruitee company id",
    "report_id": "the Recruitee report id",
    "test_id": "the test",
    "test_name": "the test name",
}


def recruiter_message(fields: dict[str, list[str]]) -> str:
    parts = []
    for name, problems in fields.items():
        label = FIELD_LABELS.get(name, name)
        parts.append(f"{label} ({' '.join(problems).rstrip('.').lower()})")
    return "MarioHR could not send the test: please check " + "; ".join(parts) + "."


def invalid(fields: dict[str, list[str]]) -> dict:
    return error_body("invalid_request", recruiter_message(fields), fields)

"""Ashby's error envelope, both the old (`errors`) and new (`errorInfo`) forms."""

import uuid

# Field paths as a recruiter reads them in Ashby's UI.
FIELD_LABELS = {
    "assessment_type_id": "the assessment type",
    "candidate.email": "the candidate's email",
    "candidate.first_name": "the candidate's first name",
    "candidate.last_name": "the candidate's last name",
    "candidate.ashby_id": "the candidate's Ashby id",
    "candidate.ashby_profile_url": "the candidate's Ashby profile link",
    "application.ashby_id": "the application's Ashby id",
    "assessment_id": "the assessment id",
    "application.status": "the application's status",
    "job.ashby_id": "the job's Ashby id",
    "job.name": "the job's name",
    "job.ashby_job_url": "the job's Ashby link",
}

ERROR_CODES = {
    401: "invalid_api_key",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "already_in_progress",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limit_exceeded",
}


def envelope(code: str, message: str) -> dict:
    return {
        "success": False,
        "errors": [code],
        "errorInfo": {"code": code, "message": message, "requestId": uuid.uuid4().hex},
        "message": message,
    }


def recruiter_message(fields: dict[str, list[str]], action: str = "start the assessment") -> str:
    """Turn field errors into one sentence a recruiter can act on."""
    parts = []
    for name, problems in fields.items():
        label = FIELD_LABELS.get(name, name)
        parts.append(f"{label} ({' '.join(problems).rstrip('.').lower()})")
    return f"MarioHR could not {action}: please check " + "; ".join(parts) + "."

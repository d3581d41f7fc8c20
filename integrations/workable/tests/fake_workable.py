"""A fake Workable over real HTTPS: the results endpoint behind every callback URL. It checks
the method, the Bearer token and every body against the contract (shared/contracts/
workable.md), answers violations with 422 in Workable's envelope, and records what it took."""

import json
import re
import threading

from werkzeug.wrappers import Response

STATUSES = {"pending", "completed", "rejected", "expired"}
GRADES = {"failed", "passed", "excelled"}
DURATION = re.compile(r"[0-9]{2,}:[0-5][0-9]:[0-5][0-9]")
TOP_LEVEL = {"status", "results_url", "assessment", "attachments"}
ASSESSMENT_KEYS = {"score", "grade", "summary", "details", "duration"}


def contract_violations(payload) -> list[str]:
    if not isinstance(payload, dict):
        return ["body must be an object"]
    problems = [f"unknown key {key}" for key in payload if key not in TOP_LEVEL]
    status = payload.get("status")
    if status not in STATUSES:
        return [*problems, f"status must be one of {sorted(STATUSES)}, not {status!r}"]
    if status != "completed":
        extra = set(payload) - {"status"}
        return [*problems, *(f"{key} is only sent with completed" for key in sorted(extra))]
    if not _is_https(payload.get("results_url")):
        problems.append("results_url is mandatory with completed (an https URL)")
    assessment = payload.get("assessment")
    if not isinstance(assessment, dict):
        return [*problems, "assessment must be an object"]
    problems += [
        f"unknown assessment key {key}" for key in assessment if key not in ASSESSMENT_KEYS
    ]
    if not isinstance(assessment.get("score"), str):
        problems.append("assessment.score must be a string")
    if "grade" in assessment and assessment["grade"] not in GRADES:
        problems.append(f"assessment.grade must be one of {sorted(GRADES)}")
    if "summary" in assessment and not isinstance(assessment["summary"], str):
        problems.append("assessment.summary must be a string")
    if "details" in assessment and not isinstance(assessment["details"], dict):
        problems.append("assessment.details must be an object")
    if "duration" in assessment and not (
        isinstance(assessment["duration"], str) and DURATION.fullmatch(assessment["duration"])
    ):
        problems.append("assessment.duration must be HH:MM:SS")
    attachments = payload.get("attachments", [])
    if not isinstance(attachments, list):
        return [*problems, "attachments must be a list"]
    for item in attachments:
        if not (
            isinstance(item, dict)
            and set(item) == {"description", "url"}
            and isinstance(item["description"], str)
            and _is_https(item["url"])
        ):
            problems.append(f"attachment {item!r} must be {{description, url}}")
    return problems


def _is_https(value) -> bool:
    return isinstance(value, str) and value.startswith("https://")


class FakeWorkable:
    def __init__(self, httpserver, token: str, host: str):
        self.httpserver = httpserver
        self.token = token
        self.host = host
        self.accepted: list[tuple[str, dict]] = []  # (path, body)
        self.rejected: list[tuple[int, str]] = []
        self.fail_next: list[int] = []  # answer valid PUTs with these status codes first
        self._lock = threading.Lock()
        httpserver.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)

    def callback_url(self, name: str) -> str:
        return f"https://{self.host}:{self.httpserver.port}/spi/v1/assessments/{name}/result"

    def statuses(self, name: str | None = None) -> list[str]:
        return [
            body["status"]
            for path, body in self.accepted
            if name is None or path == f"/spi/v1/assessments/{name}/result"
        ]

    def _error(self, status: int, message: str) -> Response:
        self.rejected.append((status, message))
        body = json.dumps({"status": status, "message": message})
        return Response(body, status=status, content_type="application/json")

    def handle(self, request) -> Response:
        if request.method != "PUT":
            return self._error(405, f"{request.method} is not allowed; results are PUT")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._error(401, "Invalid or missing token")
        if not (request.headers.get("Content-Type") or "").startswith("application/json"):
            return self._error(415, "Content-Type must be application/json")
        try:
            payload = json.loads(request.get_data())
        except ValueError:
            return self._error(400, "Body is not JSON")
        problems = contract_violations(payload)
        if problems:
            return self._error(422, "; ".join(problems))
        with self._lock:
            if self.fail_next:
                return self._error(self.fail_next.pop(0), "Temporary failure, try again")
            self.accepted.append((request.path, payload))
        return Response("", status=204)

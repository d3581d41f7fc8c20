"""A fake Teamtailor Partner API over real HTTPS: ``PUT /partner/v1/partner-results/{id}``
with the partner API key, checked against the contract the way we read it (headers, JSON:API
envelope, attribute types and ranges), recording what it accepted."""

import json
import re
import threading

from werkzeug.wrappers import Response

RESULT_PATH = re.compile(r"^/partner/v1/partner-results/(?P<id>[^/]+)$")
STATUSES = {"sending", "sent", "pending", "completed", "failed"}
GRADES = {"top_fit", "might_be_fit", "might_not_be_fit", "unknown", None}
ATTRIBUTES = {
    "status",
    "summary",
    "job-id",
    "url",
    "assessment",
    "details",
    "attachments",
    "actions",
    "assessment-criteria",
}
API_VERSION = "20180828"


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def contract_violations(payload, result_id: str) -> list[str]:
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        return ["body must be {data: {...}}"]
    data = payload["data"]
    problems = []
    if data.get("type") != "partner-results":
        problems.append("data.type must be partner-results")
    if data.get("id") != result_id:
        problems.append(f"data.id must be the result id {result_id}")
    attributes = data.get("attributes")
    if not isinstance(attributes, dict):
        return [*problems, "data.attributes must be an object"]
    problems += [f"unknown attribute {key}" for key in attributes if key not in ATTRIBUTES]
    if "candidate-id" in attributes:
        problems.append("candidate-id is immutable")
    if "status" in attributes and attributes["status"] not in STATUSES:
        problems.append(f"status {attributes['status']!r} is not one of {sorted(STATUSES)}")
    if "summary" in attributes and not isinstance(attributes["summary"], str):
        problems.append("summary must be a string")
    url = attributes.get("url")
    if url is not None and not (isinstance(url, str) and re.match(r"^https?://", url)):
        problems.append("url must be an HTTP(S) URL")
    assessment = attributes.get("assessment")
    if assessment is not None:
        if not isinstance(assessment, dict):
            problems.append("assessment must be an object")
        else:
            score = assessment.get("score")
            if score is not None and not (_number(score) and 0 <= score <= 100):
                problems.append("assessment.score must be between 0 and 100")
            if assessment.get("grade") not in GRADES:
                problems.append(f"assessment.grade {assessment.get('grade')!r} is not allowed")
            duration = assessment.get("duration")
            if duration is not None and not (
                (isinstance(duration, int) and not isinstance(duration, bool))
                or (isinstance(duration, str) and re.fullmatch(r"\d+:\d\d:\d\d", duration))
            ):
                problems.append("assessment.duration must be seconds or HH:MM:SS")
    details = attributes.get("details")
    if details is not None and _depth(details) > 2:
        problems.append("details may be at most 2 levels deep")
    for attachment in attributes.get("attachments") or []:
        if not isinstance(attachment, dict) or set(attachment) != {"url", "description"}:
            problems.append("attachments must hold exactly url and description")
    for criterion in attributes.get("assessment-criteria") or []:
        if not isinstance(criterion, dict) or "id" not in criterion:
            problems.append("assessment-criteria items need an id")
        elif criterion.get("score") is not None and not (
            _number(criterion["score"]) and 0 <= criterion["score"] <= 100
        ):
            problems.append("assessment-criteria scores must be between 0 and 100")
    return problems


class FakeTeamtailor:
    def __init__(self, httpserver, api_key: str):
        self.httpserver = httpserver
        self.api_key = api_key
        self.accepted: list[dict] = []
        self.rejected: list[tuple[int, str]] = []
        self.fail_next = 0  # answer this many valid updates with a 503
        self._lock = threading.Lock()
        httpserver.expect_request(RESULT_PATH, method="PUT").respond_with_handler(self.handle)

    @property
    def base_url(self) -> str:
        # The server's certificate names localhost (it listens on 127.0.0.1).
        return f"https://localhost:{self.httpserver.port}"

    def update_url(self, result_id: str) -> str:
        return f"{self.base_url}/partner/v1/partner-results/{result_id}"

    def statuses(self, result_id: str) -> list[str]:
        return [
            body["data"]["attributes"].get("status")
            for body in self.accepted
            if body["data"]["id"] == result_id
        ]

    def _error(self, status: int, detail: str) -> Response:
        self.rejected.append((status, detail))
        body = {"errors": [{"status": str(status), "detail": detail}]}
        return Response(json.dumps(body), status=status, content_type="application/vnd.api+json")

    def handle(self, request) -> Response:
        authorization = request.headers.get("Authorization") or ""
        if authorization != f"Token {self.api_key}":
            return self._error(401, "Invalid API key")
        if request.headers.get("X-Api-Version") != API_VERSION:
            return self._error(406, "X-Api-Version header is required")
        if not (request.headers.get("Content-Type") or "").startswith("application/vnd.api+json"):
            return self._error(415, "Content-Type must be application/vnd.api+json")
        result_id = RESULT_PATH.match(request.path).group("id")
        try:
            payload = json.loads(request.get_data())
        except ValueError:
            return self._error(400, "Body is not JSON")
        problems = contract_violations(payload, result_id)
        with self._lock:
            if problems:
                return self._error(422, "; ".join(problems))
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._error(503, "Temporarily unavailable")
            self.accepted.append(payload)
        answer = {"data": {**payload["data"], "links": {"self": request.url}}}
        return Response(json.dumps(answer), status=200, content_type="application/vnd.api+json")

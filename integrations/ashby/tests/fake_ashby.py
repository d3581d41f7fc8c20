"""A fake Ashby API over real HTTPS: checks auth and headers and validates every
assessment.update against the contract, rejecting violations the way Ashby does
(HTTP 200 with success: false), and records what it accepted."""

import base64
import json
import threading

from werkzeug.wrappers import Response

FIELD_TYPES = {
    "numeric_score": (int, float),
    "numeric_duration_minutes": (int, float),
    "url": (str,),
    "string": (str,),
    "boolean_success": (bool,),
}
TOP_LEVEL = {
    "assessment_id",
    "timestamp",
    "assessment_status",
    "assessment_profile_url",
    "assessment_result",
    "cancelled_reason",
    "metadata",
}


def contract_violations(payload) -> list[str]:
    if not isinstance(payload, dict):
        return ["body must be an object"]
    problems = [f"unknown key {key}" for key in payload if key not in TOP_LEVEL]
    if not isinstance(payload.get("assessment_id"), str) or not payload.get("assessment_id"):
        problems.append("assessment_id must be a non-empty string")
    timestamp = payload.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool) or timestamp < 10**12:
        problems.append("timestamp must be integer milliseconds since the epoch")
    fields = []
    for key in ("assessment_status", "assessment_profile_url", "assessment_result"):
        if payload.get(key) is not None:
            fields.append((key, payload[key]))
    metadata = payload.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, list):
            problems.append("metadata must be a list")
        else:
            fields.extend(("metadata", field) for field in metadata)
    if payload.get("assessment_status") is None and not payload.get("cancelled_reason"):
        problems.append("assessment_status is required unless cancelled_reason is set")
    if payload.get("cancelled_reason") is not None and not isinstance(
        payload["cancelled_reason"], str
    ):
        problems.append("cancelled_reason must be a string")
    if (
        payload.get("assessment_result") is not None
        and payload.get("assessment_profile_url") is None
    ):
        problems.append("assessment_profile_url is required with assessment_result")
    identifiers = []
    for where, field in fields:
        if not isinstance(field, dict):
            problems.append(f"{where}: typed field must be an object")
            continue
        for required in ("identifier", "label", "type", "value"):
            if required not in field:
                problems.append(f"{where}: {required} is required")
        kind = field.get("type")
        if kind not in FIELD_TYPES:
            problems.append(f"{where}: unknown type {kind!r}")
            continue
        value = field.get("value")
        if not isinstance(value, FIELD_TYPES[kind]) or (
            kind != "boolean_success" and isinstance(value, bool)
        ):
            problems.append(f"{where}: value {value!r} does not match type {kind}")
        identifiers.append(field.get("identifier"))
    if len(identifiers) != len(set(identifiers)):
        problems.append(f"identifiers must be unique: {identifiers}")
    return problems


class FakeAshby:
    def __init__(self, httpserver, api_key: str):
        self.httpserver = httpserver
        self.api_key = api_key
        self.accepted: list[dict] = []
        self.rejected: list[tuple[int, str]] = []
        self.fail_next = 0  # answer this many valid updates with success: false
        self._last_timestamp: dict[str, int] = {}
        self._lock = threading.Lock()
        httpserver.expect_request("/assessment.update", method="POST").respond_with_handler(
            self.handle
        )

    @property
    def base_url(self) -> str:
        return self.httpserver.url_for("").rstrip("/")

    def statuses(self, assessment_id: str) -> list[str]:
        return [
            (u.get("assessment_status") or {}).get("value") or "cancelled"
            for u in self.accepted
            if u["assessment_id"] == assessment_id
        ]

    def _error(self, code: str, message: str, status: int = 200) -> Response:
        self.rejected.append((status, message))
        body = {
            "success": False,
            "errors": [code],
            "errorInfo": {"code": code, "message": message, "requestId": "req-test"},
        }
        return Response(json.dumps(body), status=status, content_type="application/json")

    def handle(self, request) -> Response:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        authorization = request.headers.get("Authorization")
        if not authorization:
            return self._error("missing_api_key", "Missing API key", status=401)
        if authorization != expected:
            return self._error("invalid_api_key", "Invalid API key", status=403)
        if not request.headers.get("User-Agent"):
            return self._error("forbidden", "A User-Agent is required", status=403)
        if request.headers.get("Accept") != "application/json; version=1":
            return self._error("invalid_input", "Accept must be application/json; version=1")
        if not (request.headers.get("Content-Type") or "").startswith("application/json"):
            return self._error("invalid_input", "Content-Type must be application/json")
        try:
            payload = json.loads(request.get_data())
        except ValueError:
            return self._error("invalid_input", "Body is not JSON")
        problems = contract_violations(payload)
        with self._lock:
            last = self._last_timestamp.get(payload.get("assessment_id"), 0)
            if not problems and payload["timestamp"] <= last:
                problems.append("timestamp must increase per assessment")
            if problems:
                return self._error("invalid_input", "; ".join(problems))
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._error("internal_error", "Temporary failure, try again")
            self._last_timestamp[payload["assessment_id"]] = payload["timestamp"]
            self.accepted.append(payload)
        return Response(
            json.dumps({"success": True, "results": {}}),
            status=200,
            content_type="application/json",
        )

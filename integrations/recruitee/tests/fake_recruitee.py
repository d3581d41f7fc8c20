"""A fake Recruitee Partners API over real HTTPS: the report PATCH only.

It checks what the contract says (RT-PARTNER-SECRET, JSON, the four statuses, score as
text, an ISO 8601 completed_at, the codename in the path, a known report) and answers the
way the contract says Recruitee does: 401 for a bad secret, 404 for an unknown report,
422 for a body it cannot take, 500 when told to fail. It records what it accepted."""

import json
import re
import threading
from datetime import datetime

from werkzeug.wrappers import Response

REPORT_PATH = re.compile(r"^/api/p/(?P<codename>[^/]+)/reports/(?P<report_id>[^/]+)$")
KEYS = {"status", "score", "completed_at", "subtitle", "properties", "urls"}
STATUSES = {"sent", "completed", "failed", "canceled"}


def contract_violations(payload) -> list[str]:
    if not isinstance(payload, dict):
        return ["body must be an object"]
    problems = [f"unknown key {key}" for key in payload if key not in KEYS]
    if not payload:
        problems.append("nothing to update")
    if "status" in payload and payload["status"] not in STATUSES:
        problems.append(f"status must be one of {sorted(STATUSES)}")
    if "score" in payload and not isinstance(payload["score"], str):
        problems.append("score must be text")
    if "completed_at" in payload:
        try:
            datetime.fromisoformat(str(payload["completed_at"]).replace("Z", "+00:00"))
        except ValueError:
            problems.append("completed_at must be ISO 8601")
    urls = payload.get("urls", {})
    if not isinstance(urls, dict) or not all(
        isinstance(v, str) and v.startswith(("https://", "http://")) for v in urls.values()
    ):
        problems.append("urls must map names to absolute URLs")
    return problems


class FakeRecruitee:
    def __init__(self, httpserver, *, codename: str, secret: str):
        self.httpserver = httpserver
        self.codename = codename
        self.secret = secret
        self.reports: dict[str, dict] = {}
        self.accepted: list[tuple[str, dict]] = []
        self.rejected: list[tuple[int, str]] = []
        self.fail_next = 0  # answer this many valid PATCHes with a 500
        self._lock = threading.Lock()
        httpserver.expect_request(REPORT_PATH, method="PATCH").respond_with_handler(self.handle)

    @property
    def api_base(self) -> str:
        return f"https://localhost:{self.httpserver.port}/api"

    def report_created(self, report_id: str) -> None:
        """Recruitee creates the report (status sent) before it calls send_candidate."""
        self.reports[report_id] = {"status": "sent"}

    def bodies(self, report_id: str) -> list[dict]:
        return [body for rid, body in self.accepted if rid == report_id]

    def _answer(self, status: int, body: dict) -> Response:
        if status >= 300:
            self.rejected.append((status, body.get("error", "")))
        return Response(json.dumps(body), status=status, content_type="application/json")

    def handle(self, request) -> Response:
        match = REPORT_PATH.match(request.path)
        if request.headers.get("RT-PARTNER-SECRET") != self.secret:
            return self._answer(401, {"error": "invalid partner secret"})
        if match["codename"] != self.codename or match["report_id"] not in self.reports:
            return self._answer(404, {"error": "report not found"})
        if not (request.headers.get("Content-Type") or "").startswith("application/json"):
            return self._answer(415, {"error": "Content-Type must be application/json"})
        try:
            payload = json.loads(request.get_data())
        except ValueError:
            return self._answer(400, {"error": "body is not JSON"})
        problems = contract_violations(payload)
        if problems:
            return self._answer(422, {"error": "; ".join(problems)})
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._answer(500, {"error": "internal server error"})
            report = self.reports[match["report_id"]]
            report.update(payload)
            self.accepted.append((match["report_id"], payload))
        return self._answer(200, {"report": report})

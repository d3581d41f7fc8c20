"""Shared pieces of the *_resilience_browser tests: a started test, its link, the requests a
page sends and a wait for the database."""

import json
import time

from assessments import services as lifecycle
from assessments.models import Interview
from tests.candidate_factories import ada_interview_send
from tests.fixtures.recording_browser import poll

ACTIVE = "window.mariohrTab && window.mariohrTab.active"


def interview_started(org, catalog, partner_test_id="py-fastapi-review") -> Interview:
    interview = ada_interview_send(org, catalog[partner_test_id])
    return lifecycle.interview_start(interview=interview)


def link(live_server, interview: Interview) -> str:
    return f"{live_server.url}/t/{interview.candidate_token}"


def open_active(page, url: str) -> None:
    page.goto(url)
    poll(page, ACTIVE)


def posts(page, suffix: str) -> list:
    """The POSTs the page sends to URLs ending in ``suffix``, as they go (JSON decoded)."""
    sent = []

    def seen(request):
        if request.method == "POST" and request.url.endswith(suffix):
            body = request.post_data or ""
            sent.append(json.loads(body) if body.startswith("{") else body)

    page.on("request", seen)
    return sent


def wait_for(condition, timeout: float = 20.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} never held")

# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""One JSON error shape for MarioHR's own endpoints (mariohr.api_errors.error_body):
{"error": code, "message": text, "fields": {field: [problem]}}, fields only when a field is at
fault; an endpoint may add keys beside it (the recorder's "closed", the interview's "status").
Each ATS keeps its own envelope (tests/test_api_not_found.py shows Ashby's)."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Answer
from assessments.recordings.models import RecordingChunk, RecordingPolicy
from tests.candidate_factories import page_url, sent_interview  # noqa: F401
from tests.fixtures.recording_browser import open_and_start, recorder, wait_uploaded
from tests.fixtures.recordings import CHUNK_URL

HEADER = b"\x1a\x45\xdf\xa3" + b"\x00" * 60
CODE = re.compile(r"[a-z][a-z_]*")


def assert_error_shape(response, status: int, code: str, *, fields=(), extra=()) -> dict:
    """The body is MarioHR's shape, naming exactly ``fields``; ``extra`` keys may sit beside."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    expected_keys = {"error", "message", *extra} | ({"fields"} if fields else set())
    assert set(body) == expected_keys, body
    assert body["error"] == code and CODE.fullmatch(body["error"])
    assert isinstance(body["message"], str) and body["message"].strip()
    if fields:
        assert sorted(body["fields"]) == sorted(fields)
        for problems in body["fields"].values():
            assert problems and all(isinstance(p, str) and p.strip() for p in problems)
    return body


# One error from each family of MarioHR endpoints.


def test_partner_api_validation_error_has_the_shape(api, send_body):
    body = send_body()
    body["candidate"]["email"] = "not-an-email"
    response = api.post("/api/greenhouse/send_test", body, format="json")
    answer = assert_error_shape(response, 400, "invalid_request", fields=["candidate.email"])
    assert "candidate.email" in answer["message"]


def test_unknown_api_path_has_the_shape(client, db):
    answer = assert_error_shape(client.get("/api/no-such-endpoint"), 404, "not_found")
    assert answer["message"] == "No such endpoint."


def test_candidate_answers_refusal_has_the_shape(client, sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    response = client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": {"solution_url": "javascript:alert(1)"}}),
        content_type="application/json",
    )
    answer = assert_error_shape(
        response, 400, "invalid_answer", fields=["solution_url"], extra=["saved", "saved_at"]
    )
    # The page shows the message alone, so it names the field itself.
    assert answer["message"].startswith("solution_url must be a link")
    assert (answer["saved"], answer["saved_at"]) == ([], None)  # nothing else was sent
    assert not Answer.objects.filter(interview=interview).exists()


def test_candidate_answers_unknown_link_has_the_shape(client, db):
    response = client.post("/t/" + "x" * 40 + "/answers", "{}", content_type="application/json")
    assert_error_shape(response, 404, "not_found")


def test_candidate_answers_after_cancel_keeps_status_beside_the_shape(client, sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview())
    lifecycle.interview_cancel(interview=interview)
    response = client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": {"notes": "late"}}),
        content_type="application/json",
    )
    answer = assert_error_shape(response, 410, "not_accepting_answers", extra=["status"])
    assert answer["status"] == "cancelled"


def test_recording_chunk_refusal_has_the_shape(client, recording_interview, local_media):
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq="-1")
    response = client.post(url, HEADER, content_type="video/webm")
    answer = assert_error_shape(response, 400, "invalid_request", fields=["seq"])
    assert answer["fields"]["seq"] == [answer["message"]]
    assert not RecordingChunk.objects.exists()


def test_recording_chunk_closed_keeps_closed_beside_the_shape(
    client, recording_interview, local_media
):
    interview = recording_interview()
    lifecycle.interview_cancel(interview=interview)
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    response = client.post(url, HEADER, content_type="video/webm")
    answer = assert_error_shape(response, 410, "gone", fields=["interview"], extra=["closed"])
    assert answer["closed"] is True
    assert "cancelled" in answer["message"]


def test_recording_consent_bad_json_has_the_shape(client, recording_interview):
    interview = recording_interview(mode=RecordingPolicy.Mode.OPTIONAL)
    response = client.post(
        f"/recordings/{interview.candidate_token}/consent",
        b"not json",
        content_type="application/json",
    )
    assert_error_shape(response, 400, "invalid_json", fields=["body"])


def test_recording_unknown_token_has_the_shape(client, db):
    url = CHUNK_URL.format(token="nope", seq=0)
    response = client.post(url, HEADER, content_type="video/webm")
    assert_error_shape(response, 404, "not_found", fields=["candidate_token"])


def test_report_json_not_found_has_the_shape(client, db):
    response = client.get("/reports/" + "x" * 32, HTTP_ACCEPT="application/json")
    answer = assert_error_shape(response, 404, "not_found")
    assert answer["message"] == "No such report."


# The pages' scripts read the shape: what the candidate (or the recorder's state) shows is the
# server's message.


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_refused_answer_shows_the_servers_message(chromium, make_interview, live_server):
    interview, link = make_interview(mode=RecordingPolicy.Mode.OFF)
    lifecycle.interview_start(interview=interview)

    def script(page):
        page.goto(link)
        with page.expect_response("**/answers") as refused:
            page.get_by_label("Link to your solution").fill("javascript:alert(1)")
        assert refused.value.status == 400
        expect(page.locator("#save-status")).to_contain_text(
            "Not saved: solution_url must be a link starting with https:// or http://. "
            "Your answers are kept on this device."
        )

    chromium.run(script, live_server.url, fake_devices=False)
    assert not Answer.objects.filter(interview=interview, key="solution_url").exists()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_recorder_closes_on_a_closed_answer_and_keeps_its_message(
    chromium, make_interview, live_server
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        wait_uploaded(page, 1)
        # Playwright's thread runs an event loop, where Django refuses ORM calls: cancel from
        # a plain thread, as the recruiter's request would.
        with ThreadPoolExecutor(max_workers=1) as plain:
            plain.submit(lifecycle.interview_cancel, interview=interview).result()
        page.wait_for_function("() => window.mariohrRecording.state === 'closed'", timeout=30_000)
        return recorder(page)

    state = chromium.run(script, live_server.url)
    assert state["lastError"] == "410 This interview was cancelled."

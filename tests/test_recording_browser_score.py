# ruff: noqa: F811 - fixtures imported from helper modules
"""The score never waits for the video, taken as a candidate would: a quiz with a required
recording, sent through the Greenhouse-compatible path, is taken in headless Chromium with
fake devices (consent and device check, Start, answers, a few seconds recorded, submit).
The score PATCH reaches a real HTTPS receiver through a real deliveries worker while no
worker consumes the "recordings" queue; once a recorder worker runs, a follow-up PATCH
carries a link that downloads the processed WebM.

Helpers: tests/fixtures/recording_browser.py (Chromium), tests/delivery_helpers.py (receiver,
worker processes), tests/test_recording_follow_up_worker.py (worker and broker fixtures).
"""

import time

import av
import pytest
import requests
from playwright.sync_api import expect

from assessments.models import Interview
from assessments.recordings.models import Recording
from assessments.services import CandidateData, interview_send
from integrations.delivery.models import Delivery
from tests.candidate_factories import correct_answer, quiz_questions
from tests.delivery_helpers import (  # noqa: F401
    body_of,
    ca_file,
    outbound_org,
    receiver,
    receiver_url,
    tls_ca,
    wait_for,
)
from tests.fixtures.recording_browser import KEEP_STATE, open_and_start, wait_uploaded
from tests.test_recording_follow_up_worker import (  # noqa: F401
    SCORE_DEADLINE_SECONDS,
    quiz_recorded,
    workers,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def answer(page, questions) -> None:
    for kind, key, value in questions:
        if kind == "short":
            page.locator(f"#{key}").fill(value)
        else:
            for choice_id in [value] if isinstance(value, str) else value:
                page.locator(f"#{key}-{choice_id}").check()


def test_browser_quiz_with_recording_score_patch_first_recording_patch_later(
    chromium, live_server, receiver, outbound_org, quiz_recorded, workers, tmp_path
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview, _ = interview_send(
        organization=outbound_org,
        test=quiz_recorded,
        candidate=CandidateData(first_name="Ada", last_name="Lovelace", email="ada@x.org"),
        source="greenhouse",
        callback_url=receiver_url(receiver, host="localhost"),
    )
    link = f"{live_server.url}/t/{interview.candidate_token}"
    # Every question but the last one answered correctly: a score of 9.
    questions = [(q.kind, q.answer_key, correct_answer(q)) for q in quiz_questions(interview)]
    answered = questions[:-1]

    def script(page):
        open_and_start(page, link)  # consent + device check before the clock, Start, recording
        answer(page, answered)
        expect(page.locator("#save-status")).to_contain_text("All answers saved")
        wait_uploaded(page, 2)  # a few seconds recorded (4-second chunks)
        page.evaluate(KEEP_STATE)
        page.get_by_role("button", name="Submit test").click()
        expect(page.get_by_role("heading", name="Test submitted")).to_be_visible(timeout=60_000)
        submitted_at = time.monotonic()
        return submitted_at, page.evaluate("() => JSON.parse(sessionStorage.getItem('recording'))")

    # Links in the PATCH bodies point at the live server, which serves the recording file.
    with workers("celery", "deliveries", MARIOHR_BASE_URL=live_server.url) as deliveries:
        submitted_at, final = chromium.run(script, live_server.url)
        assert final["state"] == "done" and final["pending"] == 0, final
        wait_for(
            lambda: len(receiver.log) >= 1,
            timeout=max(0.0, submitted_at + SCORE_DEADLINE_SECONDS - time.monotonic()),
            message=f"the score PATCH (see {deliveries.log_path})",
        )
        # No worker consumes the recordings queue yet: the score did not wait for it.
        recording = Recording.objects.get(interview=interview)
        assert recording.status == Recording.Status.PENDING, recording.failure_reason
        assert recording.consent == Recording.Consent.GIVEN
        assert recording.chunk_count >= 2
        interview.refresh_from_db()
        assert interview.status == Interview.Status.COMPLETE
        assert interview.score == len(answered)
        first = body_of(receiver.log[0][0])
        assert first["partner_interview_id"] == interview.partner_interview_id
        assert first["partner_status"] == "complete"
        assert first["partner_score"] == len(answered)
        assert first["recording_url"] is None
        assert first["report"]["recording"]["processing"] is True

        with workers("recordings", "recorder", MARIOHR_BASE_URL=live_server.url) as recorder:
            wait_for(
                lambda: len(receiver.log) >= 2,
                timeout=150,
                interval=0.5,
                message=f"the recording PATCH (see {recorder.log_path}, {deliveries.log_path})",
            )

    recording.refresh_from_db()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert len(receiver.log) == 2
    second = body_of(receiver.log[1][0])
    assert second["partner_status"] == "complete"
    assert second["partner_score"] == first["partner_score"]
    assert second["recording_url"].startswith(f"{live_server.url}/recordings/file/")
    assert second["report"]["recording"]["processing"] is False

    # The link downloads the processed recording: a WebM with video, as long as recorded.
    download = requests.get(second["recording_url"], timeout=30)
    assert download.status_code == 200, download.text[:200]
    assert download.headers["Content-Type"].startswith("video/webm")
    assert download.content[:4] == EBML_MAGIC
    path = tmp_path / "downloaded.webm"
    path.write_bytes(download.content)
    with av.open(str(path)) as container:
        assert container.streams.video and container.streams.audio
        seconds = float(container.duration) / av.time_base
    recorded_seconds = (final["stoppedAt"] - final["startedAt"]) / 1000
    assert seconds > 6
    assert abs(seconds - recorded_seconds) < 1.5

    # An interview completed on submit gets its results PATCH on the status change.
    deliveries = Delivery.objects.filter(interview=interview).order_by("pk")
    assert [(d.kind, d.event.get("trigger")) for d in deliveries] == [
        ("results_patch", "status_changed"),
        ("results_patch", "recording_ready"),
    ]
    assert {d.status for d in deliveries} == {Delivery.Status.SUCCEEDED}

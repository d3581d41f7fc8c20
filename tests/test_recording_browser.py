"""Session recording in headless Chromium with a fake camera and a microphone that speaks.

The intro page asks for consent and checks the camera and microphone before the clock runs;
the test page records on load, keeps chunks in IndexedDB and uploads them; after submit the
recording is processed (segments joined, remuxed, transcribed). Helpers and the Chromium
thread are in tests/fixtures/recording_browser.py.
"""

from datetime import timedelta

import av
import pytest
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording, RecordingChunk, RecordingPolicy
from assessments.recordings.services import recording_for_report
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.fixtures.recording_browser import (
    NOTES,
    open_and_start,
    poll,
    submit,
    wait_recording,
    wait_uploaded,
)
from tests.fixtures.recordings import SPOKEN_WORDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO_PLAYS = """() => {
  const video = document.querySelector("[data-device-preview]");
  return video.readyState >= 2 && !video.paused && video.videoWidth > 0;
}"""


def test_device_check_before_start_and_the_clock_starts_at_start(
    chromium, make_interview, live_server
):
    interview, link = make_interview()

    def script(page):
        page.goto(link)
        page.wait_for_selector("#recording-setup[data-ready]", state="attached")
        start = page.get_by_role("button", name="Start the test")
        expect(start).to_be_disabled()
        assert_accessible(page, "the intro page (consent)")
        page.get_by_role("button", name="I agree: check my camera and microphone").click()
        # Focus moves to the device check, not lost with the hidden consent buttons.
        expect(page.get_by_role("heading", name="Check your camera and microphone")).to_be_focused()
        poll(page, "() => window.mariohrDeviceCheck.state === 'ready'")
        assert page.evaluate(VIDEO_PLAYS)
        loudest = poll(
            page, "() => window.mariohrDeviceCheck.loudest > 5 && window.mariohrDeviceCheck.loudest"
        )
        expect(page.get_by_label("Microphone level")).to_be_visible()
        expect(start).to_be_enabled()
        expect(start).to_be_focused()
        expect(
            page.get_by_role("status").filter(has_text="camera and microphone work")
        ).to_be_visible()
        assert_accessible(page, "the intro page (device check)")
        screenshot(page, "recording-device-check")
        page.wait_for_timeout(1500)  # the candidate looks at the preview; no clock yet
        start.click()
        wait_recording(page)
        return loudest

    loudest = chromium.run(script, live_server.url)
    assert loudest > 5
    interview.refresh_from_db()
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN
    assert interview.status == Interview.Status.IN_PROGRESS
    assert interview.expires_at - interview.started_at == timedelta(
        minutes=interview.test.time_limit_minutes
    )
    assert interview.started_at > recording.consent_at


def test_browser_records_uploads_and_processes_a_session(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        expect(page.locator("[data-recording-status]")).to_have_text("Recording.")
        assert_accessible(page, "the test page while recording")
        wait_uploaded(page, 2)
        page.wait_for_timeout(1500)
        return submit(page)

    final = chromium.run(script, live_server.url)

    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    recorded_seconds = (final["stoppedAt"] - final["startedAt"]) / 1000
    assert recorded_seconds > 8
    assert abs(recording.duration_seconds - recorded_seconds) < 1.0
    assert final["pending"] == 0 and final["segments"] == 1
    assert recording.chunk_count >= 3
    assert recording.missing_chunks == []
    assert len(recording.segment_map) == 1
    assert not RecordingChunk.objects.exists()
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript


def test_browser_reload_resumes_as_a_second_segment(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        first = wait_uploaded(page, 2)
        page.wait_for_timeout(500)
        page.reload()  # the first segment's unsent tail is lost; what was stored stays
        second = wait_recording(page)
        assert second["segmentId"] != first["segmentId"]
        wait_uploaded(page, 2)
        page.wait_for_timeout(1000)
        final = submit(page)
        return first, final

    first, final = chromium.run(script, live_server.url)

    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert len(recording.segment_map) == 2
    assert [span["segment"] for span in recording.segment_map][0] == first["segmentId"]
    assert [span["segment"] for span in recording.segment_map][1] == final["segmentId"]
    parts = sum(span["duration_seconds"] for span in recording.segment_map)
    assert abs(recording.duration_seconds - parts) < 1.0
    second_seconds = (final["stoppedAt"] - final["startedAt"]) / 1000
    assert recording.segment_map[1]["duration_seconds"] == pytest.approx(second_seconds, abs=1.0)
    assert recording.segment_map[0]["duration_seconds"] >= 7  # two 4-second chunks at least
    report = recording_for_report(interview)
    gaps = [event for event in report["transcript_events"] if event["event"] == "recording_gap"]
    assert len(gaps) == 1, report["transcript_events"]


def test_browser_records_the_screen_with_the_camera_in_one_video(
    chromium, make_interview, live_server, local_media, celery_eager
):
    # Headless Chromium's fake devices also answer getDisplayMedia (a "monitor" the size of
    # the window) when called right after a click, as the "Share your screen" button does.
    interview, link = make_interview(capture_screen=True)

    def script(page):
        open_and_start(page, link)
        page.get_by_role("button", name="Share your screen").click()
        poll(page, "() => window.mariohrRecording.screen")
        expect(page.get_by_role("status").filter(has_text="and screen")).to_be_visible()
        wait_uploaded(page, 2)
        return submit(page)

    final = chromium.run(script, live_server.url)

    assert final["screen"] is True
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    with av.open(str(local_media / recording.file_name)) as container:
        video = container.streams.video[0]
        # The composite's fixed size, not the 640x360 camera's.
        assert (video.width, video.height) == (1280, 720)
        assert container.streams.audio, "the microphone is mixed into the composite"
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript


def chunk_route(page, seq: int, handler) -> list:
    """Intercept the upload of one chunk the first time only; later attempts pass through."""
    seen = []

    def route(route_obj):
        if f"/chunks/{seq}?" in route_obj.request.url and not seen:
            seen.append(route_obj.request.url)
            handler(route_obj)
        else:
            route_obj.continue_()

    page.route("**/segments/*/chunks/*", route)
    return seen


def test_browser_retries_a_failed_chunk_upload(chromium, make_interview, live_server, celery_eager):
    interview, link = make_interview()

    def script(page):
        failed = chunk_route(page, 1, lambda route: route.abort("connectionreset"))
        open_and_start(page, link)
        state = wait_uploaded(page, 3)
        submit(page)
        return failed, state

    failed, state = chromium.run(script, live_server.url)
    assert failed and state["retries"] >= 1
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []


def test_browser_lost_acknowledgement_gives_a_duplicate_stored_once(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        answers = []
        page.on(
            "response",
            lambda response: (
                answers.append(response.status) if "/chunks/1?" in response.url else None
            ),
        )

        def reach_server_then_lose_answer(route):
            stored = route.fetch()
            answers.append(stored.status)
            route.fulfill(status=503, body="lost")

        chunk_route(page, 1, reach_server_then_lose_answer)
        open_and_start(page, link)
        wait_uploaded(page, 3)
        submit(page)
        return answers

    answers = chromium.run(script, live_server.url)
    assert answers[:3] == [201, 503, 200]  # stored, answer lost, retry seen as duplicate
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []


def test_browser_required_recording_declined_keeps_start_disabled(
    chromium, make_interview, live_server
):
    interview, link = make_interview()

    def script(page):
        page.goto(link)
        page.wait_for_selector("#recording-setup[data-ready]", state="attached")
        with page.expect_response("**/consent"):
            page.get_by_role("button", name="I do not agree").click()
        expect(page.get_by_role("status").filter(has_text="requires a recording")).to_be_visible()
        expect(page.get_by_role("button", name="I do not agree")).to_be_focused()
        expect(page.get_by_role("button", name="Start the test")).to_be_disabled()

    chromium.run(script, live_server.url)
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.DECLINED
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SENT


def test_browser_required_recording_without_devices_has_a_way_out(
    chromium, make_interview, live_server
):
    interview, link = make_interview()

    def script(page):
        # No fake devices: on this machine Chromium finds no camera or microphone at all.
        page.goto(link)
        page.wait_for_selector("#recording-setup[data-ready]", state="attached")
        with page.expect_response("**/consent"):
            page.get_by_role("button", name="I agree: check my camera and microphone").click()
        status = page.get_by_role("status").filter(has_text="check failed")
        expect(status).to_contain_text("No camera or microphone was found")
        expect(status).to_contain_text("contact the recruiter")
        expect(page.get_by_role("button", name="Try again")).to_be_visible()
        expect(page.get_by_role("button", name="Start the test")).to_be_disabled()
        assert page.get_by_role("button", name="Continue without recording").count() == 0
        assert_accessible(page, "the intro page (device check failed)")
        page.get_by_role("button", name="Try again").click()
        expect(status).to_be_visible()
        expect(page.get_by_role("button", name="Start the test")).to_be_disabled()
        return page.evaluate("() => window.mariohrDeviceCheck.handshake.sent")

    assert chromium.run(script, live_server.url, fake_devices=False) == "unavailable"
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.UNAVAILABLE
    assert "NotFoundError" in recording.consent_detail
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SENT


def test_browser_optional_recording_without_camera_continues(chromium, make_interview, live_server):
    interview, link = make_interview(mode=RecordingPolicy.Mode.OPTIONAL)

    def script(page):
        page.goto(link)
        page.wait_for_selector("#recording-setup[data-ready]", state="attached")
        page.get_by_role("button", name="I agree: check my camera and microphone").click()
        expect(
            page.get_by_role("status").filter(has_text="No camera or microphone")
        ).to_be_visible()
        page.get_by_role("button", name="Continue without recording").click()
        start = page.get_by_role("button", name="Start the test")
        expect(start).to_be_focused()
        start.click()
        expect(page.get_by_role("status").filter(has_text="Not recording")).to_be_visible()
        expect(page.get_by_label(NOTES)).to_be_visible()

    chromium.run(script, live_server.url, fake_devices=False)
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.UNAVAILABLE
    assert "NotFoundError" in recording.consent_detail
    assert not recording.chunks.exists()


def test_browser_camera_unplugged_says_so_and_resumes_as_a_new_segment(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        first = wait_uploaded(page, 1)
        # What Chromium fires when a camera is unplugged (track.stop() fires nothing).
        page.evaluate(
            """() => document.querySelector("[data-recording-preview]").srcObject
                 .getVideoTracks()[0].dispatchEvent(new Event("ended"))"""
        )
        status = page.locator("[data-recording-status]")
        expect(status).to_contain_text("Recording stopped")
        expect(status).to_contain_text("camera was disconnected")
        resume = page.get_by_role("button", name="Resume recording")
        resume.click()
        expect(page.get_by_role("heading", name="Session recording")).to_be_focused()
        second = wait_recording(page)
        assert second["segmentId"] != first["segmentId"]
        wait_uploaded(page, first["uploaded"] + 2)
        submit(page)

    chromium.run(script, live_server.url)
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert len(recording.segment_map) == 2


PLAYER = """async () => {
  const video = document.querySelector("video.recording-player");
  video.muted = true;
  if (video.readyState < 1) {
    await new Promise((resolve, reject) => {
      video.onloadedmetadata = resolve;
      video.onerror = () => reject(new Error("media error " + (video.error && video.error.code)));
      video.load();
    });
  }
  video.currentTime = 3;
  await new Promise((resolve) => { video.onseeked = resolve; });
  return {duration: video.duration, position: video.currentTime,
          seekableEnd: video.seekable.length ? video.seekable.end(0) : 0};
}"""


def test_report_page_plays_and_seeks_the_processed_recording(
    chromium,
    recording_interview,
    local_media,
    speech_webm,
    live_server,
    settings,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    from django.test import Client

    from tests.fixtures.recordings import CHUNK_URL

    settings.MARIOHR_BASE_URL = live_server.url
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    assert Client().post(url, data=speech_webm, content_type="video/webm").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.interview_submit(interview=interview)
    report = f"{live_server.url}/reports/{interview.report_token}"

    def script(page):
        page.goto(report)
        src = page.get_attribute("video.recording-player", "src")
        played = page.evaluate(PLAYER)
        screenshot(page, "report-with-recording")
        return {"src": src, **played}

    played = chromium.run(script, live_server.url, fake_devices=False)
    # A fresh signed link, made when the page was rendered.
    assert played["src"].startswith(f"{live_server.url}/recordings/file/")
    # MediaRecorder's own WebM reports Infinity here and cannot seek; the remuxed one can.
    assert abs(played["duration"] - 5.0) < 1.0
    assert abs(played["position"] - 3.0) < 0.5
    assert played["seekableEnd"] > 4.0

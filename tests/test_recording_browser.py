"""Session recording in headless Chromium with a fake camera and a microphone that speaks.

Chromium's fake capture devices feed a test pattern and an espeak-ng WAV ("one two three
four five") to MediaRecorder; the page uploads WebM chunks while it runs; after submit the
recording is processed (remuxed, checked, transcribed) and its duration matches the time
the recorder ran.
"""

import os
import time

import pytest
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording, RecordingChunk, RecordingPolicy
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, chromium_ensure
from tests.fixtures.recordings import SPOKEN_WORDS, spoken_wav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def playwright_instance():
    chromium_ensure()
    # Playwright's sync API runs an event loop in this thread; the ORM calls between page
    # actions are still plain synchronous code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def media_browser(playwright_instance, tmp_path_factory):
    """Fake camera (a test pattern) and a fake microphone that says the SPOKEN words."""
    wav = spoken_wav(tmp_path_factory.mktemp("fake-mic") / "words.wav")
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


@pytest.fixture
def page(media_browser, live_server):
    context = media_browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["camera", "microphone"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())
    yield page
    context.close()


@pytest.fixture
def started(org, catalog, local_media, live_server):
    """Open the link of a test that requires a recording and press Start."""

    def go(page, mode=RecordingPolicy.Mode.REQUIRED):
        test = catalog["py-fastapi-review"]
        RecordingPolicy.objects.update_or_create(
            test=test, defaults={"mode": mode, "capture_screen": False}
        )
        interview, _ = lifecycle.interview_send(
            organization=org,
            test=test,
            candidate=lifecycle.CandidateData(
                first_name="Ada", last_name="Lovelace", email="ada@example.com"
            ),
            source=Interview.Source.ADMIN,
        )
        page.goto(f"{live_server.url}/t/{interview.candidate_token}")
        page.get_by_role("button", name="Start the test").click()
        expect(page.get_by_role("heading", name="Session recording")).to_be_visible()
        return interview

    return go


def recorder(page) -> dict:
    return page.evaluate("() => ({...window.mariohrRecording})")


def wait_uploaded(page, count: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = recorder(page)
        if state["uploaded"] >= count:
            return state
        page.wait_for_timeout(250)
    raise AssertionError(f"only {recorder(page)} after {timeout}s")


KEEP_STATE = """() => window.mariohrBeforeSubmit.push(() => new Promise((resolve) => {
  const timer = setInterval(() => {
    if (!window.mariohrRecording.stoppedAt) return;
    clearInterval(timer);
    sessionStorage.setItem("recording", JSON.stringify(window.mariohrRecording));
    resolve();
  }, 20);
}))"""


def submit(page) -> dict:
    """Submit through the page; returns the recorder's final state (kept across navigation)."""
    page.evaluate(KEEP_STATE)
    page.get_by_label("Your review and notes for the reviewer").fill("Looks fine to me.")
    page.get_by_role("button", name="Submit test").click()
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible(timeout=60_000)
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('recording'))")


def test_browser_records_uploads_and_processes_a_session(page, started, celery_eager):
    interview = started(page)
    notes = page.get_by_label("Your review and notes for the reviewer")
    expect(notes).to_be_hidden()  # required: nothing to do until the recording runs
    page.get_by_role("button", name="I agree: start recording").click()
    expect(notes).to_be_visible()
    wait_uploaded(page, 2)
    page.wait_for_timeout(1500)
    final = submit(page)

    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    recorded_seconds = (final["stoppedAt"] - final["startedAt"]) / 1000
    assert recorded_seconds > 8
    assert abs(recording.duration_seconds - recorded_seconds) < 1.0
    assert recording.chunk_count >= 3
    assert recording.missing_chunks == []
    assert not RecordingChunk.objects.exists()
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript


def chunk_route(page, seq: int, handler):
    """Intercept the upload of one chunk the first time only; later attempts pass through."""
    seen = []

    def route(route_obj):
        if route_obj.request.url.endswith(f"/chunks/{seq}") and not seen:
            seen.append(route_obj.request.url)
            handler(route_obj)
        else:
            route_obj.continue_()

    page.route("**/recordings/*/chunks/*", route)
    return seen


def test_browser_retries_a_failed_chunk_upload(page, started, celery_eager):
    interview = started(page)
    failed = chunk_route(page, 1, lambda route: route.abort("connectionreset"))
    page.get_by_role("button", name="I agree: start recording").click()
    state = wait_uploaded(page, 3)
    assert failed and state["retries"] >= 1
    submit(page)
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []


def test_browser_lost_acknowledgement_gives_a_duplicate_stored_once(page, started, celery_eager):
    interview = started(page)
    answers = []
    page.on(
        "response",
        lambda response: (
            answers.append(response.status) if response.url.endswith("/chunks/1") else None
        ),
    )

    def reach_server_then_lose_answer(route):
        stored = route.fetch()
        answers.append(stored.status)
        route.fulfill(status=503, body="lost")

    chunk_route(page, 1, reach_server_then_lose_answer)
    page.get_by_role("button", name="I agree: start recording").click()
    wait_uploaded(page, 3)
    assert answers[:3] == [201, 503, 200]  # stored, answer lost, retry seen as duplicate
    submit(page)
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []


def test_browser_tab_closed_mid_session_keeps_what_was_uploaded(
    page, started, celery_eager, django_capture_on_commit_callbacks
):
    interview = started(page)
    page.get_by_role("button", name="I agree: start recording").click()
    state = wait_uploaded(page, 2)
    elapsed = (time.time() * 1000 - state["startedAt"]) / 1000
    page.close()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.interview_expire(interview=Interview.objects.get(pk=interview.pk))
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.chunk_count >= 2
    assert 3.0 < recording.duration_seconds <= elapsed + 1.0


def test_browser_required_recording_refused_blocks_the_test(page, started):
    interview = started(page)
    page.get_by_role("button", name="I do not agree").click()
    status = page.get_by_role("status").filter(has_text="requires a recording")
    expect(status).to_be_visible()
    expect(page.get_by_label("Your review and notes for the reviewer")).to_be_hidden()
    expect(page.get_by_role("button", name="Try again")).to_be_visible()
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.DECLINED


@pytest.fixture
def cameraless_page(playwright_instance, live_server):
    """Chromium without fake devices: on this machine it finds no camera or microphone."""
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = browser.new_context()
    context.grant_permissions(["camera", "microphone"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    browser.close()


def test_browser_optional_recording_without_camera_continues(cameraless_page, started):
    page = cameraless_page
    interview = started(page, mode=RecordingPolicy.Mode.OPTIONAL)
    page.get_by_role("button", name="I agree: start recording").click()
    expect(page.get_by_role("status").filter(has_text="continue without it")).to_be_visible()
    expect(page.get_by_text("No camera or microphone could be used.")).to_be_visible()
    expect(page.get_by_label("Your review and notes for the reviewer")).to_be_visible()
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.UNAVAILABLE
    assert "NotFoundError" in recording.consent_detail

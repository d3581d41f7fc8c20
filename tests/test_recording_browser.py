"""Session recording in headless Chromium with a fake camera and a microphone that speaks.

Chromium's fake capture devices feed a test pattern and an espeak-ng WAV ("one two three
four five") to MediaRecorder; the page uploads WebM chunks while it runs; after submit the
recording is processed (remuxed, checked, transcribed) and its duration matches the time
the recorder ran.

Playwright's sync API allows one instance per thread, and the candidate-page tests keep one
open in the main thread for the whole session; these tests drive their own Chromium (with
fake devices) from a thread of their own. Each test prepares data in the main thread, runs
a browser script in the Chromium thread, then checks the database in the main thread.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import av
import pytest
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording, RecordingChunk, RecordingPolicy
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, chromium_ensure, screenshot
from tests.fixtures.recordings import SPOKEN_WORDS, spoken_wav

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


class ChromiumThread:
    def __init__(self, wav):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recording-chromium")
        self.wav = wav
        self.browsers = {}
        self.call(self._start)

    def call(self, function, *args):
        return self.executor.submit(function, *args).result(timeout=240)

    def _start(self):
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()

    def _browser(self, fake_devices: bool):
        if fake_devices not in self.browsers:
            args = list(CHROMIUM_ARGS)
            if fake_devices:
                args += [*FAKE_MEDIA_ARGS, f"--use-file-for-fake-audio-capture={self.wav}"]
            self.browsers[fake_devices] = self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=args
            )
        return self.browsers[fake_devices]

    def run(self, script, origin: str, *, fake_devices: bool = True):
        """Run ``script(page)`` in a fresh context; returns what the script returns."""

        def session():
            context = self._browser(fake_devices).new_context(
                viewport={"width": 1280, "height": 900}
            )
            context.grant_permissions(["camera", "microphone"], origin=origin)
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.on("dialog", lambda dialog: dialog.accept())
            try:
                return script(page)
            finally:
                context.close()

        return self.call(session)

    def close(self):
        def stop():
            for browser in self.browsers.values():
                browser.close()
            self.playwright.stop()

        self.call(stop)
        self.executor.shutdown()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    chromium_ensure()
    wav = spoken_wav(tmp_path_factory.mktemp("fake-mic") / "words.wav")
    thread = ChromiumThread(wav)
    yield thread
    thread.close()


@pytest.fixture
def make_interview(org, catalog, local_media, live_server):
    """A fresh interview for a test with the given recording mode; returns its link."""

    def make(mode=RecordingPolicy.Mode.REQUIRED, capture_screen=False):
        test = catalog["py-fastapi-review"]
        RecordingPolicy.objects.update_or_create(
            test=test, defaults={"mode": mode, "capture_screen": capture_screen}
        )
        interview, _ = lifecycle.interview_send(
            organization=org,
            test=test,
            candidate=lifecycle.CandidateData(
                first_name="Ada", last_name="Lovelace", email="ada@example.com"
            ),
            source=Interview.Source.ADMIN,
        )
        return interview, f"{live_server.url}/t/{interview.candidate_token}"

    return make


def open_and_start(page, link):
    page.goto(link)
    page.get_by_role("button", name="Start the test").click()
    expect(page.get_by_role("heading", name="Session recording")).to_be_visible()
    # recorder.js is deferred: click its buttons only once it has wired them.
    page.wait_for_selector("#recording-capture[data-ready]", state="attached")


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


def chunk_route(page, seq: int, handler) -> list:
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


def test_browser_records_uploads_and_processes_a_session(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        notes = page.get_by_label("Your review and notes for the reviewer")
        expect(notes).to_be_hidden()  # required: nothing to do until the recording runs
        page.get_by_role("button", name="I agree: start recording").click()
        expect(notes).to_be_visible()
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
    assert recording.chunk_count >= 3
    assert recording.missing_chunks == []
    assert not RecordingChunk.objects.exists()
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript


def test_browser_records_the_screen_with_the_camera_in_one_video(
    chromium, make_interview, live_server, local_media, celery_eager
):
    # Headless Chromium's fake devices also answer getDisplayMedia (a "monitor" the size of
    # the window) when called right after a click, as the consent button does.
    interview, link = make_interview(capture_screen=True)

    def script(page):
        open_and_start(page, link)
        page.get_by_role("button", name="I agree: start recording").click()
        expect(page.get_by_label("Your review and notes for the reviewer")).to_be_visible()
        wait_uploaded(page, 2)
        return submit(page)

    final = chromium.run(script, live_server.url)

    assert final["screen"] is True
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    with av.open(str(local_media / recording.file_name)) as container:
        video = container.streams.video[0]
        # The composite's size is the screen's (the 1280-wide window), not the 640x360 camera's.
        assert video.width == 1280 and video.height >= 720
        assert container.streams.audio, "the microphone is mixed into the composite"
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript


def test_browser_retries_a_failed_chunk_upload(chromium, make_interview, live_server, celery_eager):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        failed = chunk_route(page, 1, lambda route: route.abort("connectionreset"))
        page.get_by_role("button", name="I agree: start recording").click()
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
        open_and_start(page, link)
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
        submit(page)
        return answers

    answers = chromium.run(script, live_server.url)
    assert answers[:3] == [201, 503, 200]  # stored, answer lost, retry seen as duplicate
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []


def test_browser_tab_closed_mid_session_keeps_what_was_uploaded(
    chromium, make_interview, live_server, celery_eager, django_capture_on_commit_callbacks
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        page.get_by_role("button", name="I agree: start recording").click()
        state = wait_uploaded(page, 2)
        elapsed = (time.time() * 1000 - state["startedAt"]) / 1000
        page.close()  # no submit, no flush: the tab is simply gone
        return elapsed

    elapsed = chromium.run(script, live_server.url)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.interview_expire(interview=Interview.objects.get(pk=interview.pk))
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.chunk_count >= 2
    assert 3.0 < recording.duration_seconds <= elapsed + 1.0


def test_browser_required_recording_refused_blocks_the_test(chromium, make_interview, live_server):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        with page.expect_response("**/consent"):
            page.get_by_role("button", name="I do not agree").click()
        expect(page.get_by_role("status").filter(has_text="requires a recording")).to_be_visible()
        expect(page.get_by_label("Your review and notes for the reviewer")).to_be_hidden()
        expect(page.get_by_role("button", name="Try again")).to_be_visible()

    chromium.run(script, live_server.url)
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.DECLINED


def test_browser_optional_recording_without_camera_continues(chromium, make_interview, live_server):
    interview, link = make_interview(mode=RecordingPolicy.Mode.OPTIONAL)

    def script(page):
        # No fake devices: on this machine Chromium finds no camera or microphone at all.
        open_and_start(page, link)
        with page.expect_response("**/consent"):
            page.get_by_role("button", name="I agree: start recording").click()
        expect(page.get_by_role("status").filter(has_text="continue without it")).to_be_visible()
        expect(page.get_by_text("No camera or microphone could be used.")).to_be_visible()
        expect(page.get_by_label("Your review and notes for the reviewer")).to_be_visible()

    chromium.run(script, live_server.url, fake_devices=False)
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.UNAVAILABLE
    assert "NotFoundError" in recording.consent_detail


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

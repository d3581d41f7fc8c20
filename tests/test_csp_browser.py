"""Under the Content-Security-Policy, in headless Chromium: the candidate page with the
recorder (camera and screen), the report and its player (local and S3 links) and the admin
work, and the browser reports no violation."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.recordings.models import Recording
from tests.fixtures.recording_browser import open_and_start, poll, submit, wait_uploaded
from tests.fixtures.recordings import CHUNK_URL
from tests.test_recording_browser import PLAYER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium reports a violation as a securitypolicyviolation event and a console message.
WATCH_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));"""
INLINE_PROBE = """() => new Promise((resolve) => {
  const script = document.createElement("script");
  script.textContent = "window.inlineRan = true;";
  document.body.appendChild(script);
  setTimeout(() => resolve(window.inlineRan === true), 200);
})"""


def watch(page) -> list[str]:
    violations = []
    page.add_init_script(WATCH_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None
        ),
    )
    return violations


def processed_report(recording_interview, speech_webm, capture, live_server):
    interview = recording_interview()
    url = CHUNK_URL.format(token=interview.candidate_token, seq=0)
    assert Client().post(url, data=speech_webm, content_type="video/webm").status_code == 201
    with capture(execute=True):
        interview = lifecycle.interview_submit(interview=interview)
    assert Recording.objects.get(interview=interview).status == Recording.Status.PROCESSED
    return f"{live_server.url}/reports/{interview.report_token}"


def play_report(report: str):
    def script(page):
        violations = watch(page)
        page.goto(report)
        played = page.evaluate(PLAYER)
        page.evaluate("() => { window.print = () => { window.printed = true; }; }")
        page.get_by_role("button", name="Print").click()
        printed = page.evaluate("() => window.printed === true")
        found_before_probe = list(violations)
        inline_ran = page.evaluate(INLINE_PROBE)
        return {
            **played,
            "src": page.get_attribute("video.recording-player", "src"),
            "printed": printed,
            "violations": found_before_probe,
            "inline_ran": inline_ran,
            "probe_reported": len(violations) > len(found_before_probe),
        }

    return script


def test_candidate_page_and_recorder_work_without_violations(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview(capture_screen=True)

    def script(page):
        violations = watch(page)
        open_and_start(page, link)  # the intro page's device check, then Start
        page.get_by_role("button", name="Share your screen").click()
        poll(page, "() => window.mariohrRecording.screen")
        state = wait_uploaded(page, 2)
        page.get_by_label("Link to your solution").fill("https://github.com/ada/pr/1")
        expect(page.locator("#save-status")).to_contain_text("saved at")
        final = submit(page)
        return state, final, violations

    state, final, violations = chromium.run(script, live_server.url)
    assert violations == []
    assert state["screen"] is True  # the composite ran its ticker worker (worker-src 'self')
    assert final["uploaded"] >= 2  # chunks went out with fetch (connect-src 'self')
    # (Processing is the recording tests' business; here: consent and uploads arrived.)
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN and recording.chunk_count >= 2
    assert interview.answers.get(key="solution_url").value == "https://github.com/ada/pr/1"


def test_report_player_and_print_work_and_inline_script_is_blocked(
    chromium,
    recording_interview,
    local_media,
    speech_webm,
    live_server,
    settings,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    settings.MARIOHR_BASE_URL = live_server.url
    report = processed_report(
        recording_interview, speech_webm, django_capture_on_commit_callbacks, live_server
    )
    result = chromium.run(play_report(report), live_server.url, fake_devices=False)
    assert result["violations"] == []
    assert result["src"].startswith(f"{live_server.url}/recordings/file/")
    assert abs(result["duration"] - 5.0) < 1.0 and abs(result["position"] - 3.0) < 0.5
    assert result["printed"] is True  # report.js wired the button
    # The policy is enforced and the watch sees it: an injected inline script never runs.
    assert result["inline_ran"] is False and result["probe_reported"] is True


@pytest.fixture
def s3_bucket(moto_s3):
    """moto_s3, emptied afterwards: moto keeps objects in-process across its servers, and
    other tests count the bucket's objects."""
    yield moto_s3
    for item in moto_s3.list_objects_v2(Bucket="mariohr-recordings").get("Contents", []):
        moto_s3.delete_object(Bucket="mariohr-recordings", Key=item["Key"])


@pytest.mark.slow
def test_report_player_plays_a_presigned_s3_link(
    chromium,
    s3_bucket,
    recording_interview,
    speech_webm,
    live_server,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    report = processed_report(
        recording_interview, speech_webm, django_capture_on_commit_callbacks, live_server
    )
    result = chromium.run(play_report(report), live_server.url, fake_devices=False)
    assert result["violations"] == []
    assert result["src"].startswith(f"{s3_bucket.meta.endpoint_url}/")  # another origin
    assert abs(result["duration"] - 5.0) < 1.0


def test_admin_works_without_violations(chromium, make_interview, live_server):
    interview, _ = make_interview()
    get_user_model().objects.create_superuser("csp-admin", "a@example.com", "pw-csp-admin-1")
    base = live_server.url

    def script(page):
        violations = watch(page)
        page.goto(f"{base}/admin/login/")
        page.get_by_label("Username").fill("csp-admin")
        page.get_by_label("Password").fill("pw-csp-admin-1")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="MarioHR: today")).to_be_visible()
        page.goto(f"{base}/admin/assessments/interview/")
        # actions.js runs: ticking a row counts it in the action bar.
        page.locator("input.action-select").first.check()
        expect(page.locator(".action-counter")).to_contain_text("1 of")
        page.goto(f"{base}/admin/assessments/interview/{interview.pk}/change/")
        page.goto(f"{base}/admin/assessments/test/add/")
        # Inline formsets are built by admin JS: the "Add another" link exists only if it ran.
        expect(page.locator(".add-row a").first).to_be_visible()
        return violations

    assert chromium.run(script, base, fake_devices=False) == []

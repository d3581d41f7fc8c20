"""The recording survives real life: a lost consent request, 20 s offline, a second tab, a
tab closed without submitting (the expiry sweeper finishes the job). Headless Chromium with
fake devices; helpers in tests/fixtures/recording_browser.py.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.candidate_services import grace, interviews_expire_overdue
from assessments.models import Interview
from assessments.recordings.models import Recording
from tests.fixtures.recording_browser import (
    NOTES,
    open_and_start,
    poll,
    recorder,
    stored_chunks,
    submit,
    wait_recording,
    wait_uploaded,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_browser_consent_request_lost_once_blocks_nothing(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        aborted = []

        def lose_first(route):
            if not aborted:
                aborted.append(route.request.url)
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/consent", lose_first)
        open_and_start(page, link)
        page.get_by_label(NOTES).fill("Saved although the consent request was lost.")
        expect(page.locator("#save-status")).to_contain_text("saved")
        wait_uploaded(page, 1)
        submit(page, notes="Submitted although the consent request was lost.")
        return aborted

    aborted = chromium.run(script, live_server.url)
    assert len(aborted) == 1
    interview.refresh_from_db()
    assert interview.status in (Interview.Status.SUBMITTED, Interview.Status.COMPLETE)
    assert dict(interview.answers.values_list("key", "value"))["notes"].startswith("Submitted")
    recording = Recording.objects.get(interview=interview)
    assert recording.consent == Recording.Consent.GIVEN
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason


def test_browser_twenty_seconds_offline_keeps_chunks_and_sends_them_after(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        wait_uploaded(page, 1)
        page.context.set_offline(True)
        page.wait_for_timeout(20_000)
        offline = recorder(page)
        kept = stored_chunks(page)
        status = page.locator("[data-recording-status]").text_content()
        page.context.set_offline(False)
        poll(page, "() => window.mariohrRecording.pending === 0", timeout=60)
        online = recorder(page)
        page.wait_for_timeout(1000)
        final = submit(page)
        return offline, kept, status, online, final

    offline, kept, status, online, final = chromium.run(script, live_server.url)
    assert kept >= 4, (kept, offline)  # a chunk every 4 s, none sent for 20 s
    assert offline["pending"] == kept and offline["state"] == "recording"
    assert status.startswith("Offline:") and "waiting to upload" in status, status
    assert offline["retries"] >= 2
    assert online["uploaded"] >= offline["uploaded"] + kept
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == []
    [segment] = recording.segment_map
    assert segment["missing_chunks"] == []
    recorded_seconds = (final["stoppedAt"] - final["startedAt"]) / 1000
    assert recorded_seconds > 25
    assert abs(recording.duration_seconds - recorded_seconds) < 1.5


def test_browser_second_tab_takes_over_the_recording(
    chromium, make_interview, live_server, celery_eager
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        first = wait_uploaded(page, 1)
        other = page.context.new_page()
        other.on("dialog", lambda dialog: dialog.accept())
        other.goto(link)
        other_status = other.locator("[data-recording-status]")
        expect(other_status).to_have_text("Recording continues in your other tab.")
        assert recorder(page)["state"] == "recording"
        other.get_by_role("button", name="Continue here").click()
        taken = wait_recording(other)
        expect(page.locator("[data-recording-status]")).to_have_text(
            "Recording continues in your other tab."
        )
        assert taken["segmentId"] != first["segmentId"]
        wait_uploaded(other, 2)
        poll(page, "() => window.mariohrRecording.pending === 0")
        submit(other)

    chromium.run(script, live_server.url)
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert len(recording.segment_map) == 2


def test_browser_tab_closed_without_submit_is_processed_at_expiry(
    chromium, make_interview, live_server, celery_eager, django_capture_on_commit_callbacks
):
    interview, link = make_interview()

    def script(page):
        open_and_start(page, link)
        state = wait_uploaded(page, 2)
        elapsed = page.evaluate("() => (Date.now() - window.mariohrRecording.startedAt) / 1000")
        page.close()  # no submit, no flush: the tab is simply gone
        return state, elapsed

    state, elapsed = chromium.run(script, live_server.url)
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - grace() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert interviews_expire_overdue() == 1  # the beat sweeper's task body
    interview.refresh_from_db()
    assert interview.status == Interview.Status.EXPIRED
    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.chunk_count >= 2
    # At least the chunks seen uploaded (4 s each), at most what was recorded before closing.
    assert state["uploaded"] * 4 - 1.0 < recording.duration_seconds <= elapsed + 1.0

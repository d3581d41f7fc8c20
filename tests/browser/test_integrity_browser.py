# ruff: noqa: F811 - fixtures imported from tests.candidate_factories and tests.fixtures
"""In Chromium: a large paste and a switch to another tab become integrity signals, and the
report's timeline entry for the paste seeks the session recording to that moment."""

import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording
from tests.candidate_factories import sent_interview  # noqa: F401
from tests.fixtures.recording_browser import poll
from tests.fixtures.recordings import local_media, webm_make  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HIDE = """() => {
  Object.defineProperty(document, "visibilityState", {configurable: true, get: () => "hidden"});
  window.dispatchEvent(new Event("blur"));
  document.dispatchEvent(new Event("visibilitychange"));
}"""
SHOW = """() => {
  delete document.visibilityState;
  document.dispatchEvent(new Event("visibilitychange"));
  window.dispatchEvent(new Event("focus"));
}"""
PASTED = "def solve(data):\n    return sorted(set(data))\n" + "# explained at length\n" * 20


def signals_wait(interview: Interview, kinds: set[str], timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {e.kind: e for e in interview.events.filter(kind__in=kinds)}
        if set(found) == kinds:
            return found
        time.sleep(0.2)
    raise AssertionError(f"signals {kinds} not stored; found {set(found)}")


def test_paste_and_tab_switch_are_recorded_and_the_report_seeks_to_them(
    page, live_server, sent_interview, local_media, settings
):
    settings.MARIOHR_BASE_URL = live_server.url
    interview = sent_interview()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    expect(page.locator("#integrity-notice")).to_contain_text("pastes of 200 characters or more")
    page.get_by_role("button", name="Start the test").click()
    notes = page.get_by_label("Your review and notes for the reviewer")
    expect(notes).to_be_visible()
    poll(page, "window.mariohrTab && window.mariohrTab.active")

    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    notes.click()
    page.keyboard.press("Control+V")
    expect(notes).to_have_value(PASTED)

    # Headless Chromium keeps every tab visible and focused (bringing another page to the
    # front changes neither), so the switch is what the browser would report: the document
    # turns hidden and the window loses focus, then both come back.
    page.evaluate(HIDE)
    page.wait_for_timeout(2500)  # longer than the page's 2 s floor for time away
    page.evaluate(SHOW)

    found = signals_wait(interview, {"signal_paste", "signal_away"})
    paste, away = found["signal_paste"], found["signal_away"]
    assert paste.data["size"] == len(PASTED)
    assert paste.data["preview"] == "def solve(data): ret"
    assert away.data["reason"] == "hidden"
    assert away.data["seconds"] >= 2
    assert away.at > paste.at
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS  # nothing auto-fails
    lifecycle.interview_submit(interview=interview)

    # A processed recording whose one segment began 2 s before the paste.
    local_media.mkdir(parents=True, exist_ok=True)
    webm_make(local_media / "session.webm", seconds=5.0)
    began = paste.at - timedelta(seconds=2)
    segment = {"started_at": began.isoformat(), "offset_seconds": 0.0, "duration_seconds": 5.0}
    Recording.objects.create(
        interview=interview,
        status=Recording.Status.PROCESSED,
        consent=Recording.Consent.GIVEN,
        file_name="session.webm",
        duration_seconds=5.0,
        size_bytes=(local_media / "session.webm").stat().st_size,
        segment_map=[segment],
    )

    page.goto(f"{live_server.url}/reports/{interview.report_token}")
    expect(page.locator("#report-signals")).to_contain_text("Pasted once")
    expect(page.locator("#report-signals")).to_contain_text("not a verdict")
    row = page.get_by_role("row").filter(has_text=f"Pasted {len(PASTED):,} characters")
    expect(row).to_contain_text("(signal)")
    expect(page.get_by_role("row").filter(has_text="switched tab or window")).to_be_visible()
    poll(page, "document.querySelector('#report-recording video').readyState >= 1")
    row.get_by_role("button", name="Play from 2 s in the recording").click()
    position = poll(
        page,
        "(() => { const t = document.querySelector('#report-recording video').currentTime;"
        " return t > 0 ? t : null; })()",
    )
    assert abs(position - 2.0) < 0.2


def test_signals_made_offline_are_sent_once_back_online_and_idle_is_seen(
    page, live_server, sent_interview
):
    interview = sent_interview()
    page.add_init_script("window.mariohrIdleMs = 1500;")  # minutes in production
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    page.get_by_role("button", name="Start the test").click()
    notes = page.get_by_label("Your review and notes for the reviewer")
    expect(notes).to_be_visible()
    poll(page, "window.mariohrTab && window.mariohrTab.active")

    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    page.context.set_offline(True)
    notes.click()
    page.keyboard.press("Control+V")
    poll(
        page,
        "localStorage.getItem(document.getElementById('answers-form').dataset.draftKey"
        " + '-signals')",
    )
    assert not interview.events.filter(kind="signal_paste").exists()
    page.wait_for_timeout(2000)  # no input for longer than the idle threshold
    page.keyboard.press("End")
    page.context.set_offline(False)

    found = signals_wait(interview, {"signal_paste", "signal_idle"})
    assert found["signal_paste"].data["size"] == len(PASTED)
    assert found["signal_idle"].data["seconds"] >= 1.5
    page.wait_for_timeout(500)
    assert interview.events.filter(kind="signal_paste").count() == 1

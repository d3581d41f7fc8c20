"""Answers that survive, in Chromium: second tab, offline, reload, double click, time warnings."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Answer, Interview
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.candidate_factories import ada_interview_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Interview.Status
NOTES = "Your review and notes for the reviewer"
LINK = "Link to your solution"
BANNER = "This test is open in another tab or window."


@pytest.fixture
def started(org, catalog, live_server):
    """A started review test and its link (started on the server: the pages only take answers)."""

    def make(partner_test_id="py-fastapi-review"):
        interview = lifecycle.interview_start(
            interview=ada_interview_send(org, catalog[partner_test_id])
        )
        return interview, f"{live_server.url}/t/{interview.candidate_token}"

    return make


def saved(interview) -> dict:
    return dict(Answer.objects.filter(interview=interview).values_list("key", "value"))


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("the condition never held")


def answer_posts(page) -> list[dict]:
    """Every autosave body the page sends, as they go."""
    bodies = []
    page.on(
        "request",
        lambda request: (
            bodies.append(json.loads(request.post_data)["answers"])
            if request.url.endswith("/answers") and request.method == "POST"
            else None
        ),
    )
    return bodies


def test_second_tab_is_passive_and_continue_here_takes_over_without_losing_answers(page, started):
    interview, link = started()
    sent = answer_posts(page)
    page.goto(link)
    page.wait_for_function("window.mariohrTab && window.mariohrTab.active === true")
    expect(page.get_by_label(NOTES)).to_be_enabled()

    second = page.context.new_page()
    second_sent = answer_posts(second)
    second.goto(link)
    expect(second.locator("#tab-banner")).to_be_visible()
    expect(second.locator("#tab-banner")).to_contain_text(BANNER)
    expect(second.get_by_label(NOTES)).to_be_disabled()
    expect(second.get_by_role("button", name="Submit test")).to_be_disabled()
    assert second.evaluate("window.mariohrTab.active") is False
    assert_accessible(second, "the passive tab")
    screenshot(second, "candidate-second-tab-passive")

    page.get_by_label(LINK).fill("https://github.com/ada/review/pull/1")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    # Typed and not saved yet when the other tab takes over: the handover must flush it.
    page.get_by_label(NOTES).fill("typed in the first tab")
    second.get_by_role("button", name="Continue here").click()

    expect(second.get_by_label(NOTES)).to_have_value("typed in the first tab")
    expect(second.get_by_label(NOTES)).to_be_enabled()
    expect(second.get_by_label(LINK)).to_have_value("https://github.com/ada/review/pull/1")
    expect(second.locator("#tab-banner")).to_be_hidden()
    # The reloaded page shows its fields before its tab is chosen: wait for the choice.
    second.wait_for_function("window.mariohrTab && window.mariohrTab.active === true")
    expect(page.locator("#tab-banner")).to_be_visible()
    expect(page.get_by_label(NOTES)).to_be_disabled()
    assert page.evaluate("window.mariohrTab.active") is False
    assert saved(interview)["notes"] == "typed in the first tab"

    # The stale tab can neither submit nor autosave, even when driven by script.
    page.evaluate("document.getElementById('answers-form').requestSubmit()")
    page.evaluate(
        """() => { const notes = document.getElementById('notes');
        notes.value = ''; notes.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    second.get_by_label(NOTES).fill("finished in the second tab")
    expect(second.locator("#save-status")).to_contain_text("All answers saved")
    page.wait_for_timeout(1500)
    assert saved(interview)["notes"] == "finished in the second tab"
    # Autosave sends only what each tab changed, never every field.
    assert sent and all(set(body) <= {"notes", "solution_url"} and len(body) == 1 for body in sent)
    assert second_sent and all(set(body) == {"notes"} for body in second_sent)

    second.once("dialog", lambda dialog: dialog.accept())
    second.get_by_role("button", name="Submit test").click()
    expect(second.get_by_role("heading", name="Test submitted")).to_be_visible()
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert saved(interview) == {
        "notes": "finished in the second tab",
        "solution_url": "https://github.com/ada/review/pull/1",
    }


def test_stale_tab_without_web_locks_never_blanks_answers(browser, started):
    """Without navigator.locks both tabs take answers; each sends only what it changed."""
    interview, link = started()
    context = browser.new_context()
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined})"
    )
    try:
        stale, fresh = context.new_page(), context.new_page()
        stale.goto(link)
        fresh.goto(link)
        expect(stale.locator("#tab-banner")).to_be_hidden()
        expect(fresh.locator("#tab-banner")).to_be_hidden()
        fresh.get_by_label(NOTES).fill("written in the fresh tab")
        expect(fresh.locator("#save-status")).to_contain_text("All answers saved")

        # The stale tab still shows empty notes; its own edit and its submit must keep them.
        stale.get_by_label(LINK).fill("https://github.com/ada/review/pull/2")
        stale.once("dialog", lambda dialog: dialog.accept())
        stale.get_by_role("button", name="Submit test").click()
        expect(stale.get_by_role("heading", name="Test submitted")).to_be_visible()
    finally:
        context.close()
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert saved(interview) == {
        "notes": "written in the fresh tab",
        "solution_url": "https://github.com/ada/review/pull/2",
    }


def test_twenty_seconds_offline_then_answers_and_submit_arrive(page, started):
    interview, link = started()
    page.goto(link)
    page.get_by_label(NOTES).fill("before the outage")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")

    page.context.set_offline(True)
    page.get_by_label(NOTES).fill("written while offline")
    page.get_by_label(LINK).fill("https://github.com/ada/review/pull/3")
    expect(page.locator("#save-status")).to_contain_text(
        "2 changes not saved yet: offline, retrying"
    )
    expect(page.locator("#save-announcer")).to_contain_text("offline")
    screenshot(page, "candidate-offline")
    page.wait_for_timeout(20_000)
    assert saved(interview) == {"notes": "before the outage"}

    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_contain_text("All answers saved", timeout=35_000)
    expect(page.locator("#save-announcer")).to_contain_text("All answers saved")
    assert saved(interview) == {
        "notes": "written while offline",
        "solution_url": "https://github.com/ada/review/pull/3",
    }

    # Submitting while offline waits, says so, and completes when the connection returns.
    page.context.set_offline(True)
    page.get_by_label(NOTES).fill("last words, offline")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit test").click()
    expect(page.locator("#save-status")).to_contain_text(
        "You're offline. Your answers are safe; submitting when the connection returns"
    )
    page.wait_for_timeout(3000)
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible(timeout=35_000)
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert saved(interview)["notes"] == "last words, offline"


def test_reload_mid_test_keeps_answers_and_ignores_a_stale_draft(page, started):
    interview, link = started()
    page.goto(link)
    page.get_by_label(NOTES).fill("typed just before the reload")
    page.reload()  # before the autosave delay: the keepalive save or the draft carries it
    expect(page.get_by_label(NOTES)).to_have_value("typed just before the reload")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert saved(interview)["notes"] == "typed just before the reload"

    # A draft older than the server's answer (another tab saved later) is not re-applied.
    key = f"mariohr-draft-{interview.candidate_token}"
    page.evaluate(
        "key => localStorage.setItem(key, JSON.stringify({version: 2, pending: "
        "{notes: {value: 'stale draft', at: 1000}}}))",
        key,
    )
    page.reload()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    expect(page.get_by_label(NOTES)).to_have_value("typed just before the reload")
    assert page.evaluate("key => localStorage.getItem(key)", key) is None
    assert saved(interview)["notes"] == "typed just before the reload"


def test_typing_before_the_tab_is_chosen_is_saved(page, started):
    """The page decides which tab answers (Web Locks) after it loads; a candidate who types at
    once must not lose those keystrokes to that moment (CI caught this in the feedback test)."""
    interview, link = started()
    page.add_init_script(
        "const request = navigator.locks.request.bind(navigator.locks);"
        "navigator.locks.request = (...args) => new Promise("
        "  resolve => setTimeout(() => resolve(request(...args)), 600));"
    )
    page.goto(link)
    page.get_by_label(NOTES).fill("typed at once")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert saved(interview)["notes"] == "typed at once"


def test_a_refused_link_costs_the_notes_nothing(page, started):
    """A link the server refuses is kept on the page and named; the notes typed with it are
    saved all the same, and fixing the link saves it."""
    interview, link = started()
    page.goto(link)
    page.get_by_label(LINK).fill("localhost:3000/pr/1")
    page.get_by_label(NOTES).fill("notes typed with a bad link")
    expect(page.locator("#save-status")).to_contain_text("Not saved: solution_url must be a link")
    wait_for(lambda: saved(interview) == {"notes": "notes typed with a bad link"})
    page.reload()  # only the link was left pending: it comes back from this device's draft
    expect(page.get_by_label(LINK)).to_have_value("localhost:3000/pr/1")
    expect(page.get_by_label(NOTES)).to_have_value("notes typed with a bad link")

    page.get_by_label(LINK).fill("github.com/ada/orders-api/pull/1")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert saved(interview)["solution_url"] == "https://github.com/ada/orders-api/pull/1"


def test_an_open_tab_on_a_link_a_retake_replaced_says_so(page, started, django_user_model):
    """The candidate's tab stayed open past the deadline; the hiring team gave a retake with a
    new link. The next save from the old tab is refused for good (410) and the page says why,
    instead of retrying forever."""
    interview, link = started()
    page.add_init_script("window.mariohrClockPollMs = 600000;")  # the save finds out first
    page.goto(link)
    expect(page.locator("#save-status")).to_contain_text("No answers saved yet")
    lifecycle.interview_expire(interview=interview, reason="time_limit")
    staff = django_user_model.objects.create_user("am", is_staff=True)
    changes.interview_retake(interview=interview, by=staff, reason="Power cut", days=7)

    page.get_by_label(NOTES).fill("typed on the old link")
    expect(page.get_by_role("heading", name="This link was replaced")).to_be_visible()
    assert saved(interview) == {}


def test_double_click_submit_submits_once(page, started):
    interview, link = started("python-fundamentals-quiz")
    page.goto(link)
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit test").dblclick()
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible()
    assert_accessible(page, "the finished page (quiz)")
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert interview.events.filter(kind="submitted").count() == 1


@pytest.mark.parametrize(
    ("seconds_left", "warning"), [(240, "5 minutes left"), (50, "1 minute left")]
)
def test_time_warnings_are_visible_alerts(page, started, seconds_left, warning):
    interview, link = started()
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(seconds=seconds_left)
    )
    page.goto(link)
    alert = page.get_by_role("alert").filter(has_text=warning)
    expect(alert).to_be_visible()
    box = alert.bounding_box()
    assert box and box["height"] > 20 and box["width"] > 200
    assert_accessible(page, "the take page with a time warning")
    screenshot(page, f"candidate-time-warning-{seconds_left}")

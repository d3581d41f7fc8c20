"""In Chromium: extra minutes given by the hiring team reach the open take page without a
reload, by the page's light poll on an idle page and by the autosave answer."""

import pytest
from playwright.sync_api import expect

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Interview
from mariohr.formats import iso

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def started_page(page, live_server, org, catalog, poll_ms: int) -> Interview:
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="Ada", last_name="L", email="a@example.com"),
        source="greenhouse",
        callback_url="https://ats.example.com/cb/deadline",
    )
    # The poll's period is the page's to choose; the test shortens (or stretches) it.
    page.add_init_script(f"window.mariohrClockPollMs = {poll_ms};")
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    page.get_by_role("button", name="Start the test").click()
    expect(page.get_by_role("timer")).to_contain_text("1:59:")
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS
    return interview


def test_extra_minutes_show_on_an_idle_page_without_a_reload(page, live_server, org, catalog):
    interview = started_page(page, live_server, org, catalog, poll_ms=300)
    page.evaluate("window.notReloaded = true")

    changed = changes.interview_time_add(interview=interview, by=None, reason="outage", minutes=60)

    timer = page.get_by_role("timer")
    expect(timer).to_have_attribute("data-deadline", iso(changed.expires_at))
    expect(timer).to_contain_text("2:59:")
    expect(page.locator("#time-alert")).to_contain_text("You were given more time")
    assert page.evaluate("window.notReloaded") is True


def test_the_autosave_answer_brings_the_new_deadline(page, live_server, org, catalog):
    # A poll too slow to matter here: the save's answer carries the deadline.
    interview = started_page(page, live_server, org, catalog, poll_ms=3_600_000)

    changed = changes.interview_time_add(interview=interview, by=None, reason="r", minutes=30)
    page.get_by_label("Your review and notes for the reviewer").fill("Looks fine.")

    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    timer = page.get_by_role("timer")
    expect(timer).to_have_attribute("data-deadline", iso(changed.expires_at))
    expect(timer).to_contain_text("2:29:")

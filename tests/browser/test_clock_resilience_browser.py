"""In Chromium: extra time given while the candidate's page cannot hear about it (offline, or
between two clock polls) shows once the page can, and the old deadline never submits early."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments import interview_changes as changes
from assessments.models import Interview
from mariohr.formats import iso
from tests.browser.resilience import interview_started, link, open_active, posts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Interview.Status
NO_POLL = "window.mariohrClockPollMs = 3600000;"  # only the page's own triggers ask the clock


def test_extra_time_given_offline_shows_as_soon_as_the_page_is_back_online(
    page, live_server, org, catalog
):
    interview = interview_started(org, catalog)
    page.add_init_script(NO_POLL)
    open_active(page, link(live_server, interview))
    timer = page.get_by_role("timer")
    expect(timer).to_contain_text("1:59:")

    page.context.set_offline(True)
    changed = changes.interview_time_add(interview=interview, by=None, reason="r", minutes=60)
    page.wait_for_timeout(300)
    expect(timer).to_contain_text("1:59:")  # it cannot know yet

    page.context.set_offline(False)
    expect(timer).to_have_attribute("data-deadline", iso(changed.expires_at))
    expect(timer).to_contain_text("2:59:")
    expect(page.locator("#time-alert")).to_contain_text("You were given more time")


@pytest.mark.parametrize("offline", [True, False], ids=["offline", "between-polls"])
def test_the_old_deadline_does_not_submit_when_more_time_was_given(
    page, live_server, org, catalog, offline
):
    interview = interview_started(org, catalog)
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(seconds=4)
    )
    page.add_init_script(NO_POLL)
    submits = posts(page, "/submit")
    open_active(page, link(live_server, interview))
    page.context.set_offline(offline)
    changed = changes.interview_time_add(interview=interview, by=None, reason="r", minutes=30)

    status = page.locator("#save-status")
    if offline:
        # The old deadline passes while offline: the page waits to ask, and says so.
        expect(status).to_contain_text("Time is up", timeout=8_000)
        expect(status).to_contain_text("offline")
        page.wait_for_timeout(1_000)
        page.context.set_offline(False)

    timer = page.get_by_role("timer")
    expect(timer).to_have_attribute("data-deadline", iso(changed.expires_at), timeout=8_000)
    expect(timer).to_have_text(re.compile(r"^(29|30):\d\d$"))
    expect(page.locator("#time-alert")).to_contain_text("You were given more time")
    expect(page.get_by_role("button", name="Submit test")).to_be_enabled()

    # Still taking answers, nothing submitted.
    page.get_by_label("Your review and notes for the reviewer").fill("more time, more words")
    expect(status).to_contain_text("All answers saved")
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert submits == []
    assert not interview.events.filter(kind="submitted").exists()

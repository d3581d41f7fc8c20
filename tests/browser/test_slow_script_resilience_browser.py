"""In Chromium: on a slow connection the take page's HTML arrives before its script; what the
candidate types in between is saved (CI saw a flake of this in the review test)."""

import pytest
from playwright.sync_api import expect

from assessments.models import Answer
from tests.browser.resilience import ACTIVE, interview_started, link, wait_for
from tests.fixtures.recording_browser import poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOTES = "Your review and notes for the reviewer"


def test_typing_before_the_page_script_arrives_is_saved(page, live_server, org, catalog):
    interview = interview_started(org, catalog)
    held = []
    page.route("**/static/js/candidate.js", lambda route: held.append(route))
    page.goto(link(live_server, interview), wait_until="commit")

    page.get_by_label(NOTES).fill("typed while the script was on its way")
    wait_for(lambda: held, what="the script requested")
    held[0].continue_()
    poll(page, ACTIVE)

    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    saved = Answer.objects.get(interview=interview, key="notes")
    assert saved.value == "typed while the script was on its way"

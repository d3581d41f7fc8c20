"""In Chromium: the intro page shows extra time and sends an accommodation request; the take
page learns extra time given during the test; the feedback form after submitting."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments import accommodations
from assessments.models import CandidateFeedback, CandidatePolicy, Interview
from mariohr.formats import iso
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.candidate_factories import ada_interview_send

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MESSAGE = "I use a screen reader; could I have 50% extra time?"


def send(org, catalog, partner_test_id="py-fastapi-review") -> Interview:
    return ada_interview_send(org, catalog[partner_test_id])


def test_intro_shows_extra_time_and_sends_an_accommodation_request(page, live_server, org, catalog):
    CandidatePolicy.objects.create(organization=org, contact_email="grace@acme.example")
    interview = send(org, catalog)
    accommodations.accommodation_set(interview=interview, percent=50, minutes=0)

    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    expect(page.locator("#time-limit")).to_have_text(
        "180 minutes, including 60 minutes extra time, from the moment you press Start"
    )
    expect(page.get_by_role("heading", name="Accessibility and accommodations")).to_be_visible()
    assert_accessible(page, "the intro page with the accommodation notes")

    # Keyboard alone: open the disclosure, type, send.
    page.locator("#accommodation-request summary").focus()
    page.keyboard.press("Enter")
    page.get_by_label("What do you need?").fill(MESSAGE)
    page.get_by_role("button", name="Send the request").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Your request was sent to Acme")
    assert_accessible(page, "the intro page after the request")
    screenshot(page, "accommodation-request-sent")
    [email] = mail.outbox
    assert email.to == ["grace@acme.example"] and MESSAGE in email.body
    # The page's request id (a resend after a lost answer is no second email), no message.
    event = interview.events.get(kind="accommodation_requested")
    assert event.data["sent"] is True and set(event.data) == {"sent", "request_id"}


def test_take_page_shows_extra_time_given_during_the_test(page, live_server, org, catalog):
    interview = send(org, catalog)
    # The page polls its clock every 15 s; a test need not wait that long.
    page.add_init_script("window.mariohrClockPollMs = 300;")
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    page.get_by_role("button", name="Start the test").click()
    expect(page.get_by_role("timer")).to_contain_text(":")

    accommodations.accommodation_set(interview=interview, percent=0, minutes=45)
    interview.refresh_from_db()

    countdown = page.get_by_role("timer")
    expect(countdown).to_have_attribute("data-deadline", iso(interview.expires_at))
    expect(countdown).to_contain_text("2:4")  # 165 minutes: 2:44:59 or so
    expect(page.locator("#time-alert")).to_contain_text("You were given more time")


def test_feedback_form_after_submitting(page, live_server, org, catalog):
    interview = send(org, catalog)
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    page.get_by_role("button", name="Start the test").click()
    page.get_by_label("Your review and notes for the reviewer").fill("Looks fine.")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit test").click()
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible()

    group = page.get_by_role("group", name="Your rating, from 1 (poor) to 5 (excellent)")
    expect(group.get_by_role("radio")).to_have_count(5)
    assert_accessible(page, "the feedback form")
    group.get_by_label("4: very good").check()
    page.get_by_label("Anything to add? (optional)").fill("Clear instructions.")
    page.get_by_role("button", name="Send feedback").click()

    expect(page.get_by_role("status")).to_have_text("Thank you: your feedback was recorded.")
    assert_accessible(page, "the feedback thanks")
    feedback = CandidateFeedback.objects.get(interview=interview)
    assert (feedback.rating, feedback.comment) == (4, "Clear instructions.")

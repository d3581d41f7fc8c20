"""In Chromium: the feedback form after submitting and the accommodation request on the intro
page, on bad Wi-Fi: a double click sends once, a reload after sending sends nothing again,
and an offline send says so and keeps what was typed."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import CandidateFeedback, CandidatePolicy, Interview
from tests.browser.axe import assert_accessible
from tests.browser.resilience import interview_started, link, posts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MESSAGE = "I use a screen reader; could I have 50% extra time?"
OFFLINE = "Not sent: you seem to be offline"


def submitted(org, catalog) -> Interview:
    interview = interview_started(org, catalog)
    return lifecycle.interview_submit(interview=interview)


def sent(org, catalog) -> Interview:
    CandidatePolicy.objects.create(organization=org, contact_email="grace@acme.example")
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="Ada", last_name="L", email="a@example.com"),
        source="greenhouse",
    )
    return interview


def feedback_fill(page, rating="4: very good", comment="Clear instructions.") -> None:
    group = page.get_by_role("group", name="Your rating, from 1 (poor) to 5 (excellent)")
    group.get_by_label(rating).check()
    page.get_by_label("Anything to add? (optional)").fill(comment)


def test_feedback_double_click_sends_once_and_a_reload_sends_nothing(
    page, live_server, org, catalog
):
    interview = submitted(org, catalog)
    feedback_posts = posts(page, "/feedback")
    page.goto(link(live_server, interview))
    feedback_fill(page)
    page.get_by_role("button", name="Send feedback").dblclick()

    thanks = page.locator("#feedback-thanks")
    expect(thanks).to_have_text("Thank you: your feedback was recorded.")
    expect(thanks).to_be_focused()
    assert len(feedback_posts) == 1
    page.reload()
    expect(page.locator("#feedback-given")).to_contain_text("already recorded")
    assert len(feedback_posts) == 1
    feedback = CandidateFeedback.objects.get(interview=interview)
    assert (feedback.rating, feedback.comment) == (4, "Clear instructions.")


def test_feedback_sent_offline_says_so_keeps_it_and_sends_once_back_online(
    page, live_server, org, catalog
):
    interview = submitted(org, catalog)
    page.goto(link(live_server, interview))
    feedback_fill(page, rating="2: fair", comment="The timer scared me.")
    page.context.set_offline(True)
    page.get_by_role("button", name="Send feedback").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(OFFLINE)
    expect(page.get_by_label("2: fair")).to_be_checked()
    expect(page.get_by_label("Anything to add? (optional)")).to_have_value("The timer scared me.")
    assert_accessible(page, "the feedback form, not sent offline")
    assert not CandidateFeedback.objects.filter(interview=interview).exists()

    page.context.set_offline(False)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#feedback-thanks")).to_be_visible()
    feedback = CandidateFeedback.objects.get(interview=interview)
    assert (feedback.rating, feedback.comment) == (2, "The timer scared me.")


def test_feedback_refused_shows_the_problem_in_place(page, live_server, org, catalog):
    interview = submitted(org, catalog)
    page.goto(link(live_server, interview))
    page.get_by_label("Anything to add? (optional)").fill("no rating")
    # The browser's own check is bypassed, as an old browser would: the server says why.
    page.evaluate("document.querySelector('#feedback form').noValidate = true")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#feedback-error")).to_contain_text("choose a rating from 1 to 5")
    expect(page.get_by_label("Anything to add? (optional)")).to_have_value("no rating")
    assert not CandidateFeedback.objects.filter(interview=interview).exists()


def lose_first_answer(page, suffix: str) -> list:
    """The first POST to ``suffix`` reaches the server; its answer is lost on the way back."""
    lost = []

    def handle(route):
        response = route.fetch()
        if lost:
            route.fulfill(response=response)
            return
        lost.append(response.status)
        route.abort("connectionreset")

    page.route(f"**{suffix}", handle)
    return lost


def test_feedback_sent_again_after_a_lost_answer_is_kept_once(page, live_server, org, catalog):
    interview = submitted(org, catalog)
    page.goto(link(live_server, interview))
    lost = lose_first_answer(page, "/feedback")
    feedback_fill(page)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    assert lost == [200]

    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#feedback-given")).to_contain_text("already recorded")
    assert CandidateFeedback.objects.filter(interview=interview).count() == 1


def test_accommodation_sent_again_after_a_lost_answer_emails_once(page, live_server, org, catalog):
    interview = sent(org, catalog)
    page.goto(link(live_server, interview))
    lost = lose_first_answer(page, "/accommodation")
    page.locator("#accommodation-request summary").click()
    page.get_by_label("What do you need?").fill(MESSAGE)
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    assert lost == [200]

    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#accommodation-sent")).to_contain_text("Your request was sent")
    assert interview.events.filter(kind="accommodation_requested").count() == 1
    assert len(mail.outbox) == 1


def test_accommodation_double_click_sends_one_email_and_a_reload_none(
    page, live_server, org, catalog
):
    interview = sent(org, catalog)
    page.goto(link(live_server, interview))
    page.locator("#accommodation-request summary").click()
    page.get_by_label("What do you need?").fill(MESSAGE)
    page.get_by_role("button", name="Send the request").dblclick()

    done = page.locator("#accommodation-sent")
    expect(done).to_contain_text("Your request was sent to Acme")
    expect(done).to_be_focused()
    assert len(mail.outbox) == 1
    page.reload()
    expect(page.get_by_role("button", name="Start the test")).to_be_visible()
    assert len(mail.outbox) == 1
    assert interview.events.filter(kind="accommodation_requested").count() == 1
    [email] = mail.outbox
    assert MESSAGE in email.body


def test_accommodation_sent_offline_says_so_keeps_it_and_sends_once_back_online(
    page, live_server, org, catalog
):
    interview = sent(org, catalog)
    page.goto(link(live_server, interview))
    page.locator("#accommodation-request summary").click()
    page.get_by_label("What do you need?").fill(MESSAGE)
    page.context.set_offline(True)
    page.get_by_role("button", name="Send the request").click()

    expect(page.get_by_role("alert")).to_contain_text(OFFLINE)
    expect(page.get_by_label("What do you need?")).to_have_value(MESSAGE)
    assert_accessible(page, "the accommodation request, not sent offline")
    assert mail.outbox == []

    page.context.set_offline(False)
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("#accommodation-sent")).to_contain_text("Your request was sent")
    assert len(mail.outbox) == 1
    assert interview.events.filter(kind="accommodation_requested").count() == 1

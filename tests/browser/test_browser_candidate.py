# ruff: noqa: F811 - fixtures imported from helper modules
"""End to end in Chromium: link → start → answer → refresh → submit → scored → PATCH received."""

import json
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments import services as lifecycle
from assessments.models import Interview
from tests.browser.axe import assert_accessible
from tests.browser.conftest import screenshot
from tests.candidate_factories import correct_answer, quiz_questions, secret_values
from tests.delivery_helpers import (  # noqa: F401
    ca_file,
    outbound_org,
    receiver,
    receiver_url,
    tls_ca,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Interview.Status


def send(organization, catalog, partner_test_id, callback_url) -> Interview:
    interview, _ = lifecycle.interview_send(
        organization=organization,
        test=catalog[partner_test_id],
        candidate=lifecycle.CandidateData(
            first_name="Ada", last_name="Lovelace", email="ada@example.com"
        ),
        source="greenhouse",
        callback_url=callback_url,
    )
    return interview


def patches(server, timeout=20.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        received = [json.loads(r.get_data()) for r, _ in server.log if r.method == "PATCH"]
        if received:
            return received
        time.sleep(0.1)
    raise AssertionError("no PATCH reached the receiver")


def test_browser_repo_review_taken_scored_in_admin_and_patch_received(
    page, phone_page, live_server, outbound_org, catalog, receiver, celery_eager
):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({"ok": True})
    interview = send(outbound_org, catalog, "py-fastapi-review", receiver_url(receiver))
    link = f"{live_server.url}/t/{interview.candidate_token}"

    page.goto(link)
    expect(page.get_by_role("heading", name="Python FastAPI Code Review")).to_be_visible()
    expect(page.get_by_text("120 minutes from the moment you press Start")).to_be_visible()
    page.get_by_role("button", name="Start the test").focus()
    page.keyboard.press("Enter")  # keyboard alone
    expect(page.get_by_role("timer")).to_contain_text(":")
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    [password] = secret_values(interview)
    expect(page.get_by_text(password)).to_be_visible()

    notes = page.get_by_label("Your review and notes for the reviewer")
    notes.fill("The cancel endpoint races with payment capture.")
    page.get_by_label("Link to your solution").fill("https://github.com/ada/review/pull/1")
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert_accessible(page, "the take page (review)")
    screenshot(page, "candidate-review-desktop")

    page.reload()
    expect(notes).to_have_value("The cancel endpoint races with payment capture.")
    expect(page.get_by_label("Link to your solution")).to_have_value(
        "https://github.com/ada/review/pull/1"
    )
    phone_page.goto(link)
    expect(phone_page.get_by_label("Your review and notes for the reviewer")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone_page, "candidate-review-phone")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit test").click()
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible()
    assert_accessible(page, "the finished page")
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED

    get_user_model().objects.create_superuser("rita", "rita@example.com", "pw-rita-123")
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill("pw-rita-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/assessments/interviewtoreview/")
    page.get_by_role("link", name="Score").click()
    expect(page.get_by_text("The cancel endpoint races with payment capture.")).to_be_visible()
    for n, criterion in enumerate(interview.test.criteria.all()):
        page.get_by_label(f"Points for {criterion.title}").fill(str(criterion.max_points - n))
        page.get_by_label(f"Comment on {criterion.title}").fill(f"Comment {n}")
    page.get_by_role("button", name="Save score").click()
    expect(page.get_by_text("the ATS will be told")).to_be_visible()

    [body] = patches(receiver)
    assert body["partner_status"] == "complete"
    assert body["partner_score"] == 90
    assert body["report"]["breakdown"][1]["comment"] == "Comment 1"
    assert password not in json.dumps(body)
    assert interview.candidate_token not in json.dumps(body)

    page.goto(
        body["partner_profile_url"].replace(
            body["partner_profile_url"].split("/reports/")[0], live_server.url
        )
    )
    expect(page.get_by_text("90 / 100")).to_be_visible()
    assert password not in page.content()
    assert_accessible(page, "the report page")
    screenshot(page, "report-desktop")
    phone_page.goto(page.url)
    screenshot(phone_page, "report-phone")


def test_browser_quiz_is_auto_scored_and_patch_received(
    page, live_server, outbound_org, catalog, receiver, celery_eager
):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({"ok": True})
    interview = send(outbound_org, catalog, "python-fundamentals-quiz", receiver_url(receiver))
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    page.get_by_role("button", name="Start the test").click()
    questions = quiz_questions(interview)
    for question in questions[:-1]:  # the last one is left blank
        answer = correct_answer(question)
        if question.kind == "short":
            page.locator(f"#{question.answer_key}").fill(answer)
        else:
            for choice_id in [answer] if isinstance(answer, str) else answer:
                page.locator(f"#{question.answer_key}-{choice_id}").check()
    expect(page.locator("#save-status")).to_contain_text("All answers saved")
    assert_accessible(page, "the take page (quiz)")
    page.reload()
    first_short = next(q for q in questions if q.kind == "short")
    expect(page.locator(f"#{first_short.answer_key}")).to_have_value(correct_answer(first_short))
    screenshot(page, "candidate-quiz-desktop")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit test").click()
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible()

    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert interview.score == 9
    [body] = patches(receiver)
    assert body["partner_score"] == 9
    assert [e["event"] for e in body["report"]["transcript"]][-2:] == ["submitted", "scored"]
    report = body["partner_profile_url"]
    page.goto(report.replace(report.split("/reports/")[0], live_server.url))
    expect(page.get_by_text("9 / ")).to_be_visible()
    assert_accessible(page, "the quiz report page")


def test_browser_time_limit_submits_what_was_saved(page, live_server, org, catalog):
    interview = send(org, catalog, "py-fastapi-review", "")
    interview = lifecycle.interview_start(interview=interview)
    from assessments.candidate_services import answers_save

    answers_save(interview=interview, answers={"notes": "saved before the end"})
    # The deadline is a few seconds away: the page must submit on its own.
    from datetime import timedelta

    from django.utils import timezone

    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(seconds=3)
    )
    page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    expect(page.get_by_role("heading", name="Test submitted")).to_be_visible(timeout=20_000)
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert interview.events.get(kind="submitted").data == {"automatic": True}


@pytest.mark.parametrize(
    ("make_state", "heading"),
    [("expired", "This test has expired"), ("cancelled", "This test was cancelled")],
)
def test_browser_expired_and_cancelled_links_show_their_page(
    page, live_server, org, catalog, make_state, heading
):
    interview = send(org, catalog, "py-fastapi-review", "")
    if make_state == "expired":
        lifecycle.interview_expire(interview=interview)
    else:
        lifecycle.interview_cancel(interview=interview)
    response = page.goto(f"{live_server.url}/t/{interview.candidate_token}")
    assert response.status == 410
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    missing = page.goto(f"{live_server.url}/t/no-such-token")
    assert missing.status == 404

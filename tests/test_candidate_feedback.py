# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The candidate's feedback after submitting: the form, its refusals, the admin's per-test
summary, and that it never reaches a reviewer, the report or an ATS."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from assessments import services as lifecycle
from assessments.feedback import feedback_record, feedback_summary
from assessments.models import CandidateFeedback, Interview
from assessments.reports import report_build
from assessments.reviewers import REVIEWER_GROUP
from integrations.greenhouse.payloads import results_patch_payload
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

S = Interview.Status
COMMENT = "The timer made me nervous; the instructions were clear."


def submitted_interview(make) -> Interview:
    return lifecycle.interview_submit(interview=lifecycle.interview_start(interview=make()))


def csrf_client(interview) -> Client:
    # Django's CSRF check on, as in production: exempt like the other candidate forms.
    return Client(enforce_csrf_checks=True)


def give(client, interview, rating="4", comment=COMMENT):
    """The page the candidate ends on: a send that worked is redirected to the page."""
    return client.post(
        page_url(interview, "/feedback"), {"rating": rating, "comment": comment}, follow=True
    )


@pytest.fixture
def people(db):
    User = get_user_model()
    viewer = User.objects.create_user("viewer", "viewer@example.com", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    reviewer = User.objects.create_user("reviewer", "reviewer@example.com", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    nobody = User.objects.create_user("nobody", "nobody@example.com", is_staff=True)
    changer = User.objects.create_user("changer", "changer@example.com", is_staff=True)
    changer.user_permissions.set(
        Permission.objects.filter(codename__regex=r"^(view|change|delete|add)_")
    )
    return {"viewer": viewer, "reviewer": reviewer, "nobody": nobody, "changer": changer}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the candidate's form -------------------------------------------------------------------


def test_status_page_after_submit_offers_the_feedback_form(sent_interview):
    interview = submitted_interview(sent_interview)
    html = Client().get(page_url(interview)).content.decode()
    assert "How was taking this test?" in html
    assert html.count('type="radio"') == 5 and 'name="rating"' in html
    assert "<legend" in html and "1 (poor) to 5 (excellent)" in html


def test_feedback_is_not_offered_before_submit_or_after_expiry(sent_interview):
    sent = sent_interview()
    started = lifecycle.interview_start(interview=sent_interview())
    expired = lifecycle.interview_expire(interview=sent_interview())
    for interview in (sent, started, expired):
        html = Client().get(page_url(interview)).content.decode()
        assert "How was taking this test?" not in html
        give(Client(), interview)
    assert not CandidateFeedback.objects.exists()


def test_feedback_after_submit_is_recorded_once(sent_interview):
    interview = submitted_interview(sent_interview)
    client = csrf_client(interview)

    response = give(client, interview)

    assert response.status_code == 200
    assert "Thank you: your feedback was recorded." in response.content.decode()
    feedback = CandidateFeedback.objects.get(interview=interview)
    assert (feedback.rating, feedback.comment) == (4, COMMENT)
    # A second answer is refused: the first stands.
    again = give(client, interview, rating="1", comment="changed my mind")
    assert again.status_code == 409
    assert "already recorded" in again.content.decode()
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (4, COMMENT)
    page = Client().get(page_url(interview)).content.decode()
    assert "already recorded" in page and 'name="rating"' not in page


def test_feedback_sent_redirects_so_a_reload_never_posts_again(sent_interview):
    interview = submitted_interview(sent_interview)
    client = csrf_client(interview)

    sent = client.post(page_url(interview, "/feedback"), {"rating": "4", "comment": COMMENT})

    assert sent.status_code == 303
    assert sent["Location"] == page_url(interview) + "?sent=feedback"
    reload = client.get(sent["Location"]).content.decode()
    assert "Thank you: your feedback was recorded." in reload
    assert CandidateFeedback.objects.filter(interview=interview).count() == 1


def test_feedback_thanks_is_shown_only_when_feedback_was_given(sent_interview):
    interview = submitted_interview(sent_interview)
    page = Client().get(page_url(interview) + "?sent=feedback").content.decode()
    assert "feedback was recorded" not in page and 'name="rating"' in page


def test_feedback_on_a_scored_quiz_is_accepted(sent_interview, client):
    interview = lifecycle.interview_start(interview=sent_interview("python-fundamentals-quiz"))
    assert client.post(page_url(interview, "/submit")).status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert give(client, interview, rating="5", comment="").status_code == 200
    assert CandidateFeedback.objects.get(interview=interview).comment == ""


def test_feedback_to_an_unknown_link_is_404(sent_interview):
    submitted_interview(sent_interview)
    response = Client().post("/t/not-a-real-token/feedback", {"rating": "4"})
    assert response.status_code == 404
    assert not CandidateFeedback.objects.exists()


@pytest.mark.parametrize(
    ("rating", "comment", "problem"),
    [
        ("", "", "Rating: choose a rating from 1 to 5."),
        ("0", "", "Rating: choose a rating from 1 to 5."),
        ("6", "", "Rating: choose a rating from 1 to 5."),
        ("4.5", "", "Rating: choose a rating from 1 to 5."),
        ("\x00", "", "Rating: choose a rating from 1 to 5."),
        ("9" * 40, "", "Rating: choose a rating from 1 to 5."),
        ("3", "x" * 2001, "Comment: must be at most 2000 characters."),
        ("3", "nul \x00 byte", "Comment: must not contain NUL characters"),
    ],
)
def test_feedback_rejects_bad_input_without_storing(sent_interview, rating, comment, problem):
    interview = submitted_interview(sent_interview)
    response = give(Client(), interview, rating=rating, comment=comment)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert not CandidateFeedback.objects.exists()


def test_feedback_with_two_ratings_takes_the_first_only_if_valid(sent_interview):
    interview = submitted_interview(sent_interview)
    response = Client().post(page_url(interview, "/feedback"), {"rating": ["9", "2"]})
    # QueryDict.get takes the last value; "2" is a valid rating.
    assert response.status_code == 303
    assert CandidateFeedback.objects.get(interview=interview).rating == 2


def test_feedback_comment_with_markup_is_stored_as_text_and_escaped(sent_interview, people):
    interview = submitted_interview(sent_interview)
    assert give(Client(), interview, comment="<script>alert(1)</script>").status_code == 200
    listing = logged_in(people["viewer"]).get(
        reverse("admin:assessments_candidatefeedback_changelist")
    )
    html = listing.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- the admin ------------------------------------------------------------------------------


def test_admin_summary_has_average_and_response_rate_per_test(sent_interview, people):
    review = [submitted_interview(sent_interview) for _ in range(4)]
    feedback_record(interview=review[0], rating="5", comment=COMMENT)
    feedback_record(interview=review[1], rating="2")
    quiz = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview("python-fundamentals-quiz"))
    )
    feedback_record(interview=quiz, rating="4")
    sent_interview()  # not submitted: not in the denominator

    rows = {row["test"].partner_test_id: row for row in feedback_summary()}

    assert rows["py-fastapi-review"]["responses"] == 2
    assert rows["py-fastapi-review"]["average"] == 3.5
    assert rows["py-fastapi-review"]["submitted"] == 4
    assert rows["py-fastapi-review"]["response_rate"] == 50
    assert rows["python-fundamentals-quiz"]["response_rate"] == 100
    html = (
        logged_in(people["viewer"])
        .get(reverse("admin:assessments_candidatefeedback_changelist"))
        .content.decode()
    )
    assert 'id="feedback-summary"' in html
    assert "<td>3.5</td><td>4</td><td>50%</td>" in html
    assert COMMENT in html


def test_admin_summary_follows_the_test_filter(sent_interview, people, catalog):
    feedback_record(interview=submitted_interview(sent_interview), rating="5")
    quiz = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview("python-fundamentals-quiz"))
    )
    feedback_record(interview=quiz, rating="1")
    url = reverse("admin:assessments_candidatefeedback_changelist")
    test = catalog["python-fundamentals-quiz"]
    html = logged_in(people["viewer"]).get(url, {"interview__test__id__exact": test.pk})
    summary = html.content.decode().split('id="feedback-summary"')[1].split("</table>")[0]
    assert test.name in summary and catalog["py-fastapi-review"].name not in summary


def test_admin_feedback_is_for_viewers_not_reviewers_and_never_editable(sent_interview, people):
    interview = submitted_interview(sent_interview)
    feedback = feedback_record(interview=interview, rating="3", comment=COMMENT)
    changelist = reverse("admin:assessments_candidatefeedback_changelist")
    change = reverse("admin:assessments_candidatefeedback_change", args=[feedback.pk])
    expected = {"nobody": 403, "reviewer": 403, "viewer": 200, "changer": 200}
    for who, status in expected.items():
        client = logged_in(people[who])
        assert client.get(changelist).status_code == status, who
        assert client.get(change).status_code == status, who
    changer = logged_in(people["changer"])
    page = changer.get(change).content.decode()
    assert 'name="comment"' not in page  # read-only, even with every permission
    changer.post(change, {"rating": "5", "comment": "edited"})
    changer.post(
        changelist, {"action": "delete_selected", "_selected_action": [feedback.pk], "post": "yes"}
    )
    assert changer.get(reverse("admin:assessments_candidatefeedback_add")).status_code == 403
    feedback.refresh_from_db()
    assert (feedback.rating, feedback.comment) == (3, COMMENT)


# --- never beside the score, never to the ATS ------------------------------------------------


def test_feedback_is_not_in_the_report_the_reviewer_pages_or_the_ats_payload(
    sent_interview, people, client
):
    interview = submitted_interview(sent_interview)
    assert give(client, interview, rating="1", comment=COMMENT).status_code == 200
    reviewer = logged_in(people["reviewer"])

    pages = {
        "to review": reviewer.get(reverse("admin:assessments_interviewtoreview_changelist")),
        "scoring": reviewer.get(reverse("admin:assessments_interview_score", args=[interview.pk])),
        "interview": reviewer.get(
            reverse("admin:assessments_interview_change", args=[interview.pk])
        ),
        "report": client.get(reverse("report", args=[interview.report_token])),
        "report json": client.get(
            reverse("report", args=[interview.report_token]), HTTP_ACCEPT="application/json"
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert interview.candidate.display_name in response.content.decode(), name
        assert COMMENT not in response.content.decode(), name
        assert "feedback" not in response.content.decode().lower(), name

    interview.refresh_from_db()
    for body in (report_build(interview), results_patch_payload(interview)):
        text = json.dumps(body)
        assert COMMENT not in text and "feedback" not in text.lower() and "rating" not in text


def test_feedback_larger_than_the_site_accepts_is_a_400_not_a_500(sent_interview, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    interview = submitted_interview(sent_interview)
    response = give(Client(), interview, rating="4", comment="x" * 5000)
    assert response.status_code == 400
    assert "Comment: is too long." in response.content.decode()
    assert not CandidateFeedback.objects.exists()

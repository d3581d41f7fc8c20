# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The candidate's pages over HTTP: link, start, autosave, submit and every refusal."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Answer, Interview, InterviewEvent
from tests.candidate_factories import (  # noqa: F401
    correct_answer,
    page_url,
    quiz_questions,
    secret_values,
    sent_interview,
)

S = Interview.Status


def save(client, interview, answers):
    return client.post(
        page_url(interview, "/answers"),
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )


def started(client, interview):
    response = client.post(page_url(interview, "/start"))
    assert response.status_code == 302
    interview.refresh_from_db()
    return interview


def test_candidate_link_shows_test_instructions_time_limit_and_start(client, sent_interview):
    interview = sent_interview()
    response = client.get(page_url(interview))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Python FastAPI Code Review" in html
    assert "120 minutes" in html
    assert "<strong>orders API</strong>" in html  # Markdown rendered
    assert "Start the test" in html
    assert "Password" not in html  # environment only after Start
    assert response["Cache-Control"] == "no-store"


def test_candidate_unknown_token_is_404_page(client, db):
    response = client.get("/t/not-a-real-token")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_candidate_start_moves_to_in_progress_and_shows_environment(client, sent_interview):
    interview = started(client, sent_interview())
    assert interview.status == S.IN_PROGRESS
    assert interview.started_at is not None
    assert interview.expires_at == interview.started_at + timedelta(minutes=120)
    html = client.get(page_url(interview)).content.decode()
    [password] = secret_values(interview)
    assert password in html  # the candidate sees the secret
    assert f"candidate-{interview.partner_interview_id[:8].lower()}" in html
    assert 'id="countdown"' in html and 'role="timer"' in html
    assert InterviewEvent.objects.filter(interview=interview, kind="started").count() == 1


def test_candidate_start_twice_is_harmless(client, sent_interview):
    interview = started(client, sent_interview())
    first_started_at = interview.started_at
    response = client.post(page_url(interview, "/start"))
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.started_at == first_started_at
    assert interview.environment_values.count() == 3


def test_candidate_answers_autosave_and_survive_refresh(client, sent_interview):
    interview = started(client, sent_interview())
    response = save(
        client,
        interview,
        {
            "notes": "The cancel endpoint has a race.",
            "solution_url": "https://github.com/ada/review",
        },
    )
    assert response.status_code == 200, response.content
    assert "saved_at" in response.json()
    html = client.get(page_url(interview)).content.decode()
    assert "The cancel endpoint has a race." in html
    assert 'value="https://github.com/ada/review"' in html
    event = InterviewEvent.objects.get(interview=interview, kind="answer_saved")
    assert event.data == {"answers": ["notes", "solution_url"], "saves": 1}


def test_candidate_consecutive_saves_extend_one_transcript_line(client, sent_interview):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "a"})
    save(client, interview, {"notes": "ab"})
    save(client, interview, {"notes": "ab"})  # unchanged: no new save recorded
    event = InterviewEvent.objects.get(interview=interview, kind="answer_saved")
    assert event.data == {"answers": ["notes"], "saves": 2}
    assert Answer.objects.get(interview=interview, key="notes").value == "ab"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"unknown": "x"}, "unknown"),
        ({"notes": 12}, "notes"),
        ({"notes": "x" * 20001}, "notes"),
        ({"solution_url": ["a"]}, "solution_url"),
    ],
)
def test_candidate_bad_answers_are_400_naming_the_field(client, sent_interview, answers, field):
    interview = started(client, sent_interview())
    response = save(client, interview, answers)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert response.json()["message"].startswith(f"{field} ")
    assert not Answer.objects.filter(interview=interview).exists()


@pytest.mark.parametrize(
    ("answer", "problem"),
    [("nope", "one of the question's choices"), (["1"], "one of the question's choices")],
)
def test_candidate_quiz_choice_must_be_one_of_the_choices(client, sent_interview, answer, problem):
    interview = started(client, sent_interview("python-fundamentals-quiz"))
    single = quiz_questions(interview)[0]
    response = save(client, interview, {single.answer_key: answer})
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_answer",
        "message": f"{single.answer_key} must be {problem}.",
        "fields": {single.answer_key: [f"must be {problem}"]},
        "saved": [],
        "saved_at": None,
    }


def test_candidate_malformed_json_is_400(client, sent_interview):
    interview = started(client, sent_interview())
    response = client.post(
        page_url(interview, "/answers"), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["body"]
    response = client.post(
        page_url(interview, "/answers"), data="[1]", content_type="application/json"
    )
    assert response.status_code == 400


def test_candidate_save_before_start_is_409(client, sent_interview):
    interview = sent_interview()
    response = save(client, interview, {"notes": "hi"})
    assert response.status_code == 409
    assert response.json()["status"] == "sent"


def test_candidate_review_submit_moves_to_submitted_and_keeps_answers(client, sent_interview):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "draft"})
    response = client.post(
        page_url(interview, "/submit"), {"notes": "final review", "solution_url": ""}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert interview.submitted_at is not None
    assert Answer.objects.get(interview=interview, key="notes").value == "final review"
    page = client.get(page_url(interview))
    assert page.status_code == 200
    assert "Test submitted" in page.content.decode()


def test_candidate_submit_twice_is_409_and_changes_nothing(client, sent_interview):
    interview = started(client, sent_interview())
    client.post(page_url(interview, "/submit"), {"notes": "final"})
    response = client.post(page_url(interview, "/submit"), {"notes": "changed my mind"})
    assert response.status_code == 409
    assert "Already submitted" in response.content.decode()
    assert Answer.objects.get(interview=interview, key="notes").value == "final"
    assert save(client, interview, {"notes": "sneaky"}).status_code == 409
    assert Answer.objects.get(interview=interview, key="notes").value == "final"


def test_candidate_quiz_submit_scores_and_completes(client, sent_interview):
    interview = started(client, sent_interview("python-fundamentals-quiz"))
    questions = quiz_questions(interview)
    form = {}
    for question in questions[:7]:  # seven right, three left blank
        form[question.answer_key] = correct_answer(question)
    response = client.post(page_url(interview, "/submit"), form)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert interview.score == 7
    assert interview.max_score == 10
    assert interview.scored_by is None
    kinds = list(interview.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["submitted", "scored"]
    assert interview.score_lines.count() == 10


def test_candidate_submit_after_deadline_is_410_and_saved_answers_kept(
    client, sent_interview, settings
):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "saved in time"})
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(seconds=settings.MARIOHR_SUBMIT_GRACE_SECONDS + 1)
    )
    response = client.post(page_url(interview, "/submit"), {"notes": "too late"})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.EXPIRED
    assert Answer.objects.get(interview=interview, key="notes").value == "saved in time"


def test_candidate_submit_within_grace_is_accepted(client, sent_interview):
    interview = started(client, sent_interview())
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(seconds=5)
    )
    response = client.post(page_url(interview, "/submit"), {"notes": "auto", "automatic": "1"})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert interview.events.get(kind="submitted").data == {"automatic": True}


def test_candidate_expired_invitation_link_is_410(client, sent_interview):
    interview = sent_interview()
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = client.get(page_url(interview))
    assert response.status_code == 410
    assert "This test has expired" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.EXPIRED
    assert client.post(page_url(interview, "/start")).status_code == 410


def test_candidate_cancelled_link_stops_working_at_once(client, sent_interview):
    from assessments.services import interview_cancel

    interview = started(client, sent_interview())
    save(client, interview, {"notes": "kept"})
    interview_cancel(interview=interview)
    response = client.get(page_url(interview))
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()
    assert save(client, interview, {"notes": "x"}).status_code == 410
    assert client.post(page_url(interview, "/submit"), {"notes": "x"}).status_code == 410
    assert Answer.objects.get(interview=interview, key="notes").value == "kept"


def test_candidate_instructions_markdown_is_sanitized(client, sent_interview):
    interview = sent_interview()
    interview.test.instructions = (
        "Hi <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    interview.test.save()
    html = client.get(page_url(interview)).content.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html
    assert "onerror" not in html


def test_candidate_every_control_has_an_accessible_name(client, sent_interview):
    interview = started(client, sent_interview("python-fundamentals-quiz"))
    html = client.get(page_url(interview)).content.decode()
    for question in quiz_questions(interview):
        key = question.answer_key
        if question.kind == "short":
            assert f'<label class="qnum" for="{key}" id="{key}-label">' in html
            assert f'aria-labelledby="{key}-label {key}-prompt"' in html
        else:
            assert f'<legend class="qnum" id="{key}-legend">' in html
            assert f'aria-labelledby="{key}-legend {key}-prompt"' in html
        for choice in question.choices.all():
            assert f'<label for="{question.answer_key}-{choice.pk}">' in html

# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""What the take page gives its script: per-answer save times, the tab banner, the live
region; and the submit pages the script tells apart (retry here, or final)."""

import json
import re

import pytest

from assessments.models import Answer, Interview
from assessments.reports import iso
from tests.candidate_factories import (  # noqa: F401
    correct_answer,
    page_url,
    quiz_questions,
    sent_interview,
)

pytestmark = pytest.mark.django_db
S = Interview.Status
QUIZ = "python-fundamentals-quiz"


def started(client, interview):
    assert client.post(page_url(interview, "/start")).status_code == 302
    interview.refresh_from_db()
    return interview


def save(client, interview, answers):
    response = client.post(
        page_url(interview, "/answers"),
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["saved_at"]


def saved_at_attribute(html: str, key: str) -> str:
    match = re.search(rf'data-answer-key="{key}"[^>]*data-saved-at="([^"]*)"', html)
    assert match, key
    return match.group(1)


def test_take_page_carries_each_answers_save_time_for_the_draft_check(client, sent_interview):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "first"})
    html = client.get(page_url(interview)).content.decode()
    stored = Answer.objects.get(interview=interview, key="notes").saved_at
    assert saved_at_attribute(html, "notes") == iso(stored)
    assert saved_at_attribute(html, "solution_url") == ""


def test_quiz_take_page_carries_each_answers_save_time(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    first, second = quiz_questions(interview)[:2]
    save(client, interview, {first.answer_key: correct_answer(first)})
    html = client.get(page_url(interview)).content.decode()
    stored = Answer.objects.get(interview=interview, key=first.answer_key).saved_at
    assert saved_at_attribute(html, first.answer_key) == iso(stored)
    assert saved_at_attribute(html, second.answer_key) == ""
    # An unanswered short question is an empty box, not the text "None".
    short = next(q for q in quiz_questions(interview) if q.kind == "short")
    assert f'name="{short.answer_key}" value=""' in html


def test_take_page_has_the_tab_banner_a_quiet_status_and_one_live_region(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    html = client.get(page_url(interview)).content.decode()
    assert '<div id="tab-banner" class="tab-banner" hidden>' in html
    assert "Continue here" in html
    status = re.search(r'<div id="save-status"[^>]*>', html).group(0)
    assert "aria-live" not in status and "role=" not in status
    assert 'id="save-announcer" class="visually-hidden" role="status" aria-live="polite"' in html
    assert 'id="time-alert" class="time-alert" role="alert"' in html
    assert '<fieldset id="answers-fieldset"' in html
    # candidate.js decides the tab before the recorder's script runs (deferred: document order).
    assert html.index("js/candidate.js") < html.index("<main")


def test_review_submit_with_one_field_keeps_the_other(client, sent_interview):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "saved by another tab", "solution_url": "https://a.example"})
    response = client.post(
        page_url(interview, "/submit"), {"automatic": "0", "solution_url": "https://b.example"}
    )
    assert response.status_code == 302
    answers = dict(Answer.objects.filter(interview=interview).values_list("key", "value"))
    assert answers == {"notes": "saved by another tab", "solution_url": "https://b.example"}


def test_submit_pages_say_whether_the_candidate_can_retry(client, sent_interview):
    interview = started(client, sent_interview())
    refused = client.post(page_url(interview, "/submit"), {"solution_url": "javascript:alert(1)"})
    assert refused.status_code == 400
    assert b'class="status-page" data-retry' in refused.content

    assert client.post(page_url(interview, "/submit"), {"automatic": "0"}).status_code == 302
    again = client.post(page_url(interview, "/submit"), {"automatic": "0"})
    assert again.status_code == 409
    assert b"data-retry" not in again.content

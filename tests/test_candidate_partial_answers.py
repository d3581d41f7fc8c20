# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""One refused answer costs no other: autosave stores the valid ones, a submit by the
candidate keeps them, and the time-up submit goes in without the refused one. Also the take
page's own hints: the time left as the server sees it, and each field's length limit."""

import json
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from assessments import accommodations
from assessments import services as lifecycle
from assessments.models import Answer, Interview
from assessments.reports import report_build
from tests.candidate_factories import page_url, quiz_questions, sent_interview  # noqa: F401

S = Interview.Status
NOTES = "Two hours of review notes"


def save(client, interview, answers):
    return client.post(
        page_url(interview, "/answers"),
        json.dumps({"answers": answers}),
        content_type="application/json",
    )


def stored(interview) -> dict:
    return dict(Answer.objects.filter(interview=interview).values_list("key", "value"))


@pytest.fixture
def started(sent_interview):
    def start(slug="py-fastapi-review"):
        return lifecycle.interview_start(interview=sent_interview(slug))

    return start


def test_autosave_stores_the_valid_answers_and_names_the_refused_one(started):
    interview = started()
    client = Client(enforce_csrf_checks=True)

    response = save(client, interview, {"solution_url": "localhost:3000/pr", "notes": NOTES})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_answer" and list(body["fields"]) == ["solution_url"]
    assert body["saved"] == ["notes"] and body["saved_at"] and body["deadline"]
    assert stored(interview) == {"notes": NOTES}


def test_a_quiz_answer_too_long_costs_the_other_answers_nothing(started):
    interview = started("python-fundamentals-quiz")
    short = next(q for q in quiz_questions(interview) if q.kind == "short")
    single = next(q for q in quiz_questions(interview) if q.kind == "single")
    choice = str(single.choices.first().pk)

    response = save(
        client := Client(), interview, {short.answer_key: "x" * 2001, single.answer_key: choice}
    )

    assert response.status_code == 400
    assert response.json()["saved"] == [single.answer_key]
    assert stored(interview) == {single.answer_key: choice}
    # The same answer again, corrected: stored.
    assert save(client, interview, {short.answer_key: "x" * 2000}).status_code == 200


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("github.com/ada/orders-api", "https://github.com/ada/orders-api"),
        ("gitlab.com", "https://gitlab.com"),
        (" bitbucket.org/ada/x?tab=pr#1 ", "https://bitbucket.org/ada/x?tab=pr#1"),
    ],
)
def test_a_link_typed_without_https_is_kept_with_it(started, typed, kept):
    interview = started()
    assert save(Client(), interview, {"solution_url": typed}).status_code == 200
    assert stored(interview) == {"solution_url": kept}


def test_the_candidates_submit_keeps_the_valid_answers_and_says_which_was_refused(started):
    interview = started()
    response = Client().post(
        page_url(interview, "/submit"), {"solution_url": "javascript:alert(1)", "notes": NOTES}
    )
    assert response.status_code == 400
    assert "solution_url must be a link" in response.text
    assert "your other answers are saved" in response.text
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert stored(interview) == {"notes": NOTES}


def test_the_time_up_submit_goes_in_without_the_refused_answer(started):
    interview = started()
    # Time is up (within the grace): the page's automatic submit carries what was typed.
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(seconds=5)
    )
    response = Client().post(
        page_url(interview, "/submit"),
        {"automatic": "1", "solution_url": "localhost:3000/pr", "notes": NOTES},
    )

    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert stored(interview) == {"notes": NOTES}
    event = interview.events.get(kind="answers_refused")
    assert event.data["values"] == {"solution_url": "localhost:3000/pr"}
    assert "must be a link" in event.data["refused"]["solution_url"]
    entry = next(
        e for e in report_build(interview)["transcript"] if e["event"] == "answers_refused"
    )
    assert entry["label"].startswith("Answers left out") and len(entry["answers"]) == 1
    assert "localhost:3000" not in json.dumps(report_build(interview)["transcript"])


def test_the_time_up_submit_keeps_no_unstorable_text(started):
    interview = started()
    response = Client().post(
        page_url(interview, "/submit"), {"automatic": "1", "notes": "a\x00b", "solution_url": ""}
    )
    assert response.status_code == 302
    event = Interview.objects.get(pk=interview.pk).events.get(kind="answers_refused")
    assert event.data["values"] == {} and list(event.data["refused"]) == ["notes"]


def countdown(html: str) -> str:
    return re.search(r'id="countdown"[^>]*>([^<]*)<', html).group(1)


def test_the_take_page_shows_the_time_left_with_extra_time(sent_interview):
    interview = sent_interview()
    accommodations.accommodation_set(interview=interview, percent=50, minutes=0)
    interview = lifecycle.interview_start(interview=interview)
    assert countdown(Client().get(page_url(interview)).content.decode()) in ("3:00:00", "2:59:59")
    # A reload 50 minutes in shows what is left, not the whole limit again.
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(minutes=130, seconds=1)
    )
    assert countdown(Client().get(page_url(interview)).content.decode()) in ("2:10:01", "2:10:00")
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() + timedelta(seconds=59.4)
    )
    assert countdown(Client().get(page_url(interview)).content.decode()) in ("0:59", "0:58")


def test_the_take_page_caps_each_field_at_what_the_server_accepts(started):
    review = Client().get(page_url(started())).content.decode()
    assert re.search(r'id="solution_url"[^>]*maxlength="2000"', review)
    assert re.search(r'id="notes"[^>]*maxlength="20000"', review)
    quiz = Client().get(page_url(started("python-fundamentals-quiz"))).content.decode()
    assert 'type="text"' in quiz
    assert all('maxlength="2000"' in tag for tag in re.findall(r'<input type="text"[^>]*>', quiz))


def test_a_starter_archive_gone_from_storage_is_a_404_page_not_a_500(started, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    interview = started()
    test = interview.test
    test.starter_archive.save("starter.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    client = Client()
    assert client.get(page_url(interview, "/starter")).status_code == 200
    test.starter_archive.storage.delete(test.starter_archive.name)

    response = client.get(page_url(interview, "/starter"))

    assert response.status_code == 404
    assert "The starter archive is not available" in response.text
    assert "Back to the test" in response.text

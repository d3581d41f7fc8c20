# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The candidate's pages refuse what would break them later, over real HTTP requests:
unstorable text, oversized or over-deep bodies, a form that would wipe autosaved answers,
and answers on a test whose required recording has no consent."""

import json
from urllib.parse import urlencode

import pytest

from assessments.models import Answer, Interview
from assessments.recordings.models import Recording, RecordingPolicy
from tests.candidate_factories import (  # noqa: F401
    correct_answer,
    page_url,
    quiz_questions,
    sent_interview,
)

S = Interview.Status
FORM = "application/x-www-form-urlencoded"
QUIZ = "python-fundamentals-quiz"


GIVEN = {"recording_consent": "given"}


def started(client, interview, form=None):
    assert client.post(page_url(interview, "/start"), form or {}).status_code == 302
    interview.refresh_from_db()
    return interview


def post_raw(client, interview, raw: str | bytes):
    return client.post(page_url(interview, "/answers"), data=raw, content_type="application/json")


def save(client, interview, answers):
    return post_raw(client, interview, json.dumps({"answers": answers}))


def submit_form(client, interview, fields):
    return client.post(
        page_url(interview, "/submit"), data=urlencode(fields, doseq=True), content_type=FORM
    )


def pages_still_render(client, admin_client, interview):
    assert client.get(page_url(interview)).status_code == 200
    assert client.get(f"/reports/{interview.report_token}").status_code == 200
    admin = admin_client.get(f"/admin/assessments/interview/{interview.pk}/change/")
    assert admin.status_code == 200


# 1. Unstorable JSON


@pytest.mark.parametrize(
    "raw", [r'{"answers":{"notes":"hi \ud800"}}', r'{"answers":{"notes":"a\u0000b"}}']
)
def test_candidate_save_refuses_unstorable_text_naming_the_field(
    client, admin_client, sent_interview, raw
):
    interview = started(client, sent_interview())
    response = post_raw(client, interview, raw)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid_json"
    assert list(body["fields"]) == ["answers.notes"]
    assert body["message"].startswith("answers.notes: ")
    assert not Answer.objects.filter(interview=interview).exists()
    pages_still_render(client, admin_client, interview)


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"answers":' * 40 + "{}" + "}" * 40,
        '{"answers":{"notes":NaN}}',
        '{"answers":{"notes":1e999}}',
        b'{"answers":{"notes":"\xff"}}',
    ],
    ids=["100000-deep", "40-deep", "nan", "overflow", "not-utf8"],
)
def test_candidate_save_refuses_malformed_or_too_deep_json_as_400(client, sent_interview, raw):
    interview = started(client, sent_interview())
    response = post_raw(client, interview, raw)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_json"
    assert list(response.json()["fields"]) == ["body"]


def test_candidate_submit_form_refuses_a_nul_character(client, admin_client, sent_interview):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "kept"})
    response = submit_form(client, interview, {"notes": "bad\x00text"})
    assert response.status_code == 400
    assert "notes must not contain NUL characters" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert Answer.objects.get(interview=interview, key="notes").value == "kept"
    pages_still_render(client, admin_client, interview)


# 2. Oversized bodies


def test_candidate_oversized_autosave_is_413_json(client, sent_interview, settings):
    interview = started(client, sent_interview())
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = save(client, interview, {"notes": notes})
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"
    assert not Answer.objects.filter(interview=interview).exists()


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_candidate_oversized_submit_is_a_413_page_and_keeps_saved_answers(
    client, sent_interview, settings, encoding
):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "saved before"})
    fields = {"notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    if encoding == "urlencoded":
        response = submit_form(client, interview, fields)
    else:
        response = client.post(page_url(interview, "/submit"), fields)
    assert response.status_code == 413
    html = response.content.decode()
    assert "too large to submit" in html
    assert "nothing saved was lost" in html
    assert "Back to the test" in html
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert Answer.objects.get(interview=interview, key="notes").value == "saved before"


def test_candidate_submit_with_too_many_fields_is_a_413_page(client, sent_interview, settings):
    interview = started(client, sent_interview())
    save(client, interview, {"notes": "saved before"})
    fields = [(f"f{i}", "1") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    response = submit_form(client, interview, fields)
    assert response.status_code == 413
    assert "nothing saved was lost" in response.content.decode()
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS


def test_site_400_page_is_friendly(client, db, settings):
    # A form too big to read on a page that is not the candidate's submit: the site's 400.
    fields = [(f"f{i}", "1") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)]
    response = client.post("/admin/login/", data=urlencode(fields), content_type=FORM)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Request not understood" in html
    assert "MarioHR" in html  # the site's own layout, not Django's bare page
    api = client.post(
        "/admin/login/", data=urlencode(fields), content_type=FORM, HTTP_ACCEPT="application/json"
    )
    assert api.status_code == 400
    assert api.json()["error"] == "bad_request"


# 3. A submit never wipes what autosave stored


def test_candidate_empty_quiz_submit_keeps_and_scores_autosaved_answers(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    short = next(q for q in quiz_questions(interview) if q.kind == "short")
    assert save(client, interview, {short.answer_key: correct_answer(short)}).status_code == 200
    response = client.post(page_url(interview, "/submit"), data="", content_type=FORM)
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE
    assert Answer.objects.get(interview=interview, key=short.answer_key).value == correct_answer(
        short
    )
    assert interview.score == short.points


def test_candidate_quiz_submit_changes_only_the_listed_questions(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    questions = quiz_questions(interview)
    first, second = questions[0], questions[1]
    save(
        client,
        interview,
        {first.answer_key: correct_answer(first), second.answer_key: correct_answer(second)},
    )
    # The page listed only the first question and the candidate cleared it.
    response = submit_form(client, interview, {"answered_keys": [first.answer_key]})
    assert response.status_code == 302
    saved = dict(Answer.objects.filter(interview=interview).values_list("key", "value"))
    assert saved[first.answer_key] in ("", [])
    assert saved[second.answer_key] == correct_answer(second)


def test_candidate_take_page_lists_every_question_in_the_form(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    html = client.get(page_url(interview)).content.decode()
    form = html[html.index('id="answers-form"') : html.index("</form>")]
    for question in quiz_questions(interview):
        assert f'name="answered_keys" value="{question.answer_key}"' in form


def test_candidate_full_page_form_still_submits_every_answer(client, sent_interview):
    interview = started(client, sent_interview(QUIZ))
    questions = quiz_questions(interview)
    fields = [("answered_keys", q.answer_key) for q in questions]
    for question in questions:
        answer = correct_answer(question)
        fields += [
            (question.answer_key, a) for a in ([answer] if isinstance(answer, str) else answer)
        ]
    assert submit_form(client, interview, fields).status_code == 302
    interview.refresh_from_db()
    assert interview.score == interview.max_score


# 4. A required recording is enforced by the server


@pytest.fixture
def recorded(sent_interview):
    def make(mode, partner_test_id="py-fastapi-review"):
        interview = sent_interview(partner_test_id)
        RecordingPolicy.objects.update_or_create(test=interview.test, defaults={"mode": mode})
        return interview

    return make


def consent(client, interview, value):
    response = client.post(
        f"/recordings/{interview.candidate_token}/consent",
        data=json.dumps({"consent": value}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response


def test_candidate_required_recording_refuses_answers_until_consent(client, recorded):
    # Consent comes with Start; taking it back (declining) afterwards blocks the answers.
    interview = started(client, recorded(RecordingPolicy.Mode.REQUIRED), GIVEN)
    consent(client, interview, "declined")
    response = save(client, interview, {"notes": "after declining"})
    assert response.status_code == 409
    assert response.json()["error"] == "recording_required"
    assert "camera and microphone" in response.json()["message"]
    assert not Answer.objects.filter(interview=interview).exists()

    consent(client, interview, "given")
    assert Recording.objects.get(interview=interview).consent == Recording.Consent.GIVEN
    assert save(client, interview, {"notes": "with consent"}).status_code == 200
    assert submit_form(client, interview, {"notes": "final"}).status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED
    assert Answer.objects.get(interview=interview, key="notes").value == "final"


@pytest.mark.parametrize("automatic", ["0", "1"])
def test_candidate_required_recording_refuses_submit_with_a_clear_page(client, recorded, automatic):
    interview = started(client, recorded(RecordingPolicy.Mode.REQUIRED, QUIZ), GIVEN)
    consent(client, interview, "declined")
    response = submit_form(client, interview, {"automatic": automatic})
    assert response.status_code == 409
    html = response.content.decode()
    assert "This test requires a recording" in html
    assert "camera and microphone" in html
    assert "I agree: start recording" in html
    assert "Back to the test" in html
    interview.refresh_from_db()
    assert interview.status == S.IN_PROGRESS
    assert not interview.events.filter(kind="submitted").exists()


@pytest.mark.parametrize("mode", [RecordingPolicy.Mode.OPTIONAL, RecordingPolicy.Mode.OFF, None])
def test_candidate_optional_or_no_recording_needs_no_consent(client, recorded, mode):
    interview = recorded(RecordingPolicy.Mode.OFF) if mode is None else recorded(mode)
    if mode is None:
        RecordingPolicy.objects.filter(test=interview.test).delete()
    interview = started(client, interview)
    assert save(client, interview, {"notes": "no consent asked"}).status_code == 200
    assert submit_form(client, interview, {"notes": "done"}).status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED

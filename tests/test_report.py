# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The report page and its JSON: content, the no-secrets guarantee, 404."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from assessments import services as lifecycle
from assessments.candidate_services import answers_save
from assessments.reports import report_build
from assessments.scoring_services import CriterionScore, interview_review_score
from tests.candidate_factories import secret_values, sent_interview  # noqa: F401


@pytest.fixture
def scored_review(sent_interview, db):
    interview = lifecycle.interview_start(interview=sent_interview())
    [password] = secret_values(interview)
    answers_save(
        interview=interview,
        answers={
            "notes": f"Logged in with {password}, found a race.",
            "solution_url": "https://github.com/ada/pr/1",
        },
    )
    interview = lifecycle.interview_submit(interview=interview)
    reviewer = get_user_model().objects.create_user("rita", first_name="Rita", last_name="Reviewer")
    scores = {
        c.pk: CriterionScore(points=c.max_points - 1, comment=f"Comment on {c.title}")
        for c in interview.test.criteria.all()
    }
    return interview_review_score(interview=interview, scores=scores, reviewer=reviewer)


def test_report_json_is_report_build(client, scored_review):
    response = client.get(f"/reports/{scored_review.report_token}", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body == json.loads(json.dumps(report_build(scored_review)))
    assert body["score"] == 95
    assert body["max_score"] == 100
    assert body["scored_by"] == "Rita Reviewer"
    assert body["breakdown"][0] == {
        "label": "Finds the real bugs",
        "points": 29,
        "max_points": 30,
        "comment": "Comment on Finds the real bugs",
    }
    assert [e["event"] for e in body["transcript"]] == [
        "started",
        "answer_saved",
        "submitted",
        "scored",
    ]
    assert {a["key"] for a in body["answers"]} == {"solution_url", "notes"}
    assert body["environment"] == [
        {
            "label": "Sandbox URL",
            "value": f"https://sandbox.mariohr.dev/{scored_review.partner_interview_id[:8].lower()}",
        },
        {
            "label": "Username",
            "value": f"candidate-{scored_review.partner_interview_id[:8].lower()}",
        },
    ]
    assert body["recording"] is None


def test_report_never_contains_a_secret(client, scored_review):
    [password] = secret_values(scored_review)
    for accept in ("application/json", "text/html"):
        text = client.get(
            f"/reports/{scored_review.report_token}", HTTP_ACCEPT=accept
        ).content.decode()
        assert password not in text
        assert scored_review.candidate_token not in text
        assert "Password" not in text
    notes = next(a for a in report_build(scored_review)["answers"] if a["key"] == "notes")
    assert notes["answer"] == "Logged in with [redacted], found a race."


def test_report_hides_fields_whose_label_sounds_secret_even_if_unmarked(sent_interview):
    interview = sent_interview()
    field = interview.test.environment_fields.get(label="Username")
    field.label = "API key"
    field.save()
    interview = lifecycle.interview_start(interview=interview)
    labels = [f["label"] for f in report_build(interview)["environment"]]
    assert labels == ["Sandbox URL"]


def test_report_html_shows_breakdown_transcript_answers_and_print_styles(client, scored_review):
    response = client.get(f"/reports/{scored_review.report_token}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html
    assert "95 / 100" in html
    assert "Comment on Security" in html
    assert "Answers saved" in html
    assert "https://github.com/ada/pr/1" in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "mariohr" in html and ".css" in html  # the stylesheet carries the @media print rules


def test_report_quiz_shows_choice_texts(sent_interview):
    interview = lifecycle.interview_start(interview=sent_interview("python-fundamentals-quiz"))
    question = interview.test.questions.get(position=0)
    right = question.choices.get(is_correct=True)
    answers_save(interview=interview, answers={question.answer_key: str(right.pk)})
    first = report_build(interview)["answers"][0]
    assert first["answer"] == [right.text]
    assert first["question"] == question.prompt


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_report_unknown_id_is_404(client, db, accept):
    response = client.get("/reports/nope", HTTP_ACCEPT=accept)
    assert response.status_code == 404
    if accept == "application/json":
        assert response.json()["error"] == "not_found"


@pytest.mark.parametrize(
    ("accept", "json_expected"),
    [
        ("application/json; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/html, application/json; charset=utf-8", False),
        ("application/json;q=0", False),
        ("*/*", False),
    ],
)
def test_report_reads_accept_as_http_clients_send_it(client, sent_interview, accept, json_expected):
    interview = sent_interview()
    for path in (f"/reports/{interview.report_token}", "/reports/nope"):
        response = client.get(path, HTTP_ACCEPT=accept)
        is_json = response["Content-Type"].startswith("application/json")
        assert is_json == json_expected, (path, response["Content-Type"])


def test_report_of_a_fresh_interview_has_no_score(client, sent_interview):
    interview = sent_interview()
    body = client.get(f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json").json()
    assert body["status"] == "sent"
    assert body["score"] is None and body["breakdown"] == [] and body["transcript"] == []
    assert isinstance(Decimal(str(body["max_score"])), Decimal)

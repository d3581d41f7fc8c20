from datetime import UTC, datetime
from decimal import Decimal

import pytest

from assessments import services
from assessments.models import Interview

STATUS = "/api/greenhouse/test_status"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def sent(api, send_body):
    response = api.post("/api/greenhouse/send_test", send_body(), format="json")
    assert response.status_code == 200, response.content
    return Interview.objects.get(partner_interview_id=response.json()["partner_interview_id"])


def status_of(api, interview, path=STATUS):
    response = api.get(path, {"partner_interview_id": interview.partner_interview_id})
    assert response.status_code == 200, response.content
    return response.json()


def test_test_status_of_a_sent_interview(api, sent):
    assert status_of(api, sent) == {"partner_status": "sent", "metadata": {}}


def test_test_status_in_progress_has_started_at_only(api, sent):
    started = services.interview_start(interview=sent)
    body = status_of(api, started)
    assert body["partner_status"] == "in_progress"
    assert set(body["metadata"]) == {"Started At"}
    assert "partner_profile_url" not in body
    assert "partner_score" not in body


def test_test_status_submitted_is_not_complete_until_scored(api, sent):
    submitted = services.interview_submit(interview=services.interview_start(interview=sent))
    body = status_of(api, submitted)
    assert body["partner_status"] == "submitted"
    assert "partner_profile_url" not in body
    assert "partner_score" not in body
    assert set(body["metadata"]) == {"Started At", "Completed At"}


def test_test_status_complete_when_scored(api, sent, settings):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    submitted = services.interview_submit(interview=services.interview_start(interview=sent))
    services.interview_score(interview=submitted, score=Decimal("82"))
    Interview.objects.filter(pk=sent.pk).update(
        started_at=datetime(2026, 5, 21, 10, 0, 0, tzinfo=UTC),
        completed_at=datetime(2026, 5, 21, 12, 30, 0, 123456, tzinfo=UTC),
    )
    body = status_of(api, sent)
    assert body == {
        "partner_status": "complete",
        "partner_profile_url": f"https://mariohr.example.com/reports/{sent.report_token}",
        "partner_score": 82,
        "metadata": {
            "Started At": "2026-05-21T10:00:00.000Z",
            "Completed At": "2026-05-21T12:30:00.123Z",
            "Final Total": "82/100",
        },
    }
    assert isinstance(body["partner_score"], int)


def test_test_status_fractional_score_is_a_json_number(api, sent):
    started = services.interview_start(interview=sent)
    services.interview_score(interview=started, score=Decimal("82.50"))
    response = api.get(STATUS, {"partner_interview_id": sent.partner_interview_id})
    assert b'"partner_score":82.5' in response.content
    assert response.json()["metadata"]["Final Total"] == "82.5/100"


def test_test_status_metadata_is_flat_primitives(api, sent):
    started = services.interview_start(interview=sent)
    services.interview_score(interview=started, score=Decimal("7"))
    metadata = status_of(api, sent)["metadata"]
    assert metadata
    assert all(isinstance(value, str | int | float | bool) for value in metadata.values())


@pytest.mark.parametrize(
    ("transition", "expected"),
    [
        (services.interview_expire, "expired"),
        (services.interview_cancel, "cancelled"),
    ],
)
def test_test_status_ended_without_result(api, sent, transition, expected):
    transition(interview=sent)
    body = status_of(api, sent)
    assert body["partner_status"] == expected
    assert "partner_profile_url" not in body
    assert "partner_score" not in body


def test_test_status_with_trailing_slash(api, sent):
    assert status_of(api, sent, STATUS + "/")["partner_status"] == "sent"


def test_test_status_unknown_id_is_404(api, sent):
    first = "y" if sent.partner_interview_id.startswith("x") else "x"
    unknown = first + sent.partner_interview_id[1:]
    response = api.get(STATUS, {"partner_interview_id": unknown})
    assert response.status_code == 404
    assert response.json() == {
        "error": "not_found",
        "message": "No interview with that partner_interview_id.",
    }


def test_test_status_other_organizations_interview_is_404_like_unknown(
    api, sent, other_org, client_for
):
    other = client_for(other_org)
    theirs = other.get(STATUS, {"partner_interview_id": sent.partner_interview_id})
    unknown = other.get(STATUS, {"partner_interview_id": "does-not-exist"})
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.content == unknown.content
    assert theirs.headers["Content-Type"] == unknown.headers["Content-Type"]


# A NUL is refused before the view with a 400 (tests/test_hostile_input.py).
@pytest.mark.parametrize("value", ["a" * 65, "../../etc", "id with spaces", "é"])
def test_test_status_impossible_ids_are_404_never_500(api, value):
    response = api.get(STATUS, {"partner_interview_id": value})
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.parametrize("query", [{}, {"partner_interview_id": ""}, {"partner_interview_id": " "}])
def test_test_status_requires_partner_interview_id(api, query):
    response = api.get(STATUS, query)
    assert response.status_code == 400
    assert "partner_interview_id" in response.json()["fields"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_test_status_other_methods_are_405_json(api, method):
    response = getattr(api, method)(STATUS, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]

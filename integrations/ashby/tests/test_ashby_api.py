import base64

import pytest
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Interview

LIST, START, CANCEL = (
    "/api/ashby/assessment.list",
    "/api/ashby/assessment.start",
    "/api/ashby/assessment.cancel",
)


def ashby_client(raw_key, as_password=False):
    client = APIClient()
    userpass = f":{raw_key}" if as_password else f"{raw_key}:"
    client.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(userpass.encode()).decode())
    return client


@pytest.fixture
def ashby(org):
    return ashby_client(org.raw_key)


def start_body(**overrides):
    body = {
        "assessment_type_id": "py-fastapi-review",
        "candidate": {
            "ashby_id": "cand-1",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "ashby_profile_url": "https://app.ashbyhq.com/candidates/cand-1",
        },
        "application": {"ashby_id": "app-1", "status": "Active"},
        "job": {
            "ashby_id": "job-1",
            "name": "Backend Engineer",
            "req_id": "R-42",
            "ashby_job_url": "https://app.ashbyhq.com/jobs/job-1",
            "hiringTeam": [
                {
                    "userId": "u1",
                    "firstName": "Grace",
                    "lastName": "Hopper",
                    "email": "grace@example.com",
                    "role": "Hiring Manager",
                }
            ],
        },
    }
    body.update(overrides)
    return body


def test_list_returns_enabled_tests_in_envelope(ashby, org, catalog):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    response = ashby.post(LIST, {}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    ids = [r["assessment_type_id"] for r in body["results"]]
    assert "py-fastapi-review" in ids and "sql-data-modeling" not in ids
    first = next(r for r in body["results"] if r["assessment_type_id"] == "py-fastapi-review")
    assert first == {
        "assessment_type_id": "py-fastapi-review",
        "name": "Python FastAPI Code Review",
        "description": "Repo-based exercise for backend roles.",
    }


def test_list_accepts_key_as_password(org):
    response = ashby_client(org.raw_key, as_password=True).post(LIST, {}, format="json")
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_list_accepts_empty_body_and_trailing_slash(ashby):
    response = ashby.generic("POST", LIST + "/", b"", content_type="application/json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("header", [None, "Basic " + base64.b64encode(b"mhr_wrong:").decode()])
def test_bad_auth_answers_ashby_envelope(header, db):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post(LIST, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    body = response.json()
    assert body["success"] is False
    assert body["errors"] == ["invalid_api_key"]
    assert body["errorInfo"]["code"] == "invalid_api_key"
    assert body["errorInfo"]["requestId"]


def test_start_creates_interview_with_ashby_ids(ashby, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = ashby.post(START, start_body(), format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    interview = Interview.objects.get(partner_interview_id=results["assessment_id"])
    assert interview.organization == org
    assert interview.source == "ashby"
    assert interview.ats_data["ashby_application_id"] == "app-1"
    assert interview.ats_data["ashby_job_url"] == "https://app.ashbyhq.com/jobs/job-1"
    assert interview.candidate.ats_candidate_id == "cand-1"
    update = results["update_request"]
    assert update["assessment_id"] == results["assessment_id"]
    assert isinstance(update["timestamp"], int)
    assert update["assessment_status"] == {
        "identifier": "status",
        "label": "Status",
        "type": "string",
        "value": "Invited",
    }
    assert "assessment_result" not in update


def test_start_sends_invitation(ashby, django_capture_on_commit_callbacks, celery_eager):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        ashby.post(START, start_body(), format="json")
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]


def test_start_live_duplicate_is_409_and_works_after_cancel(ashby):
    first = ashby.post(START, start_body(), format="json").json()["results"]["assessment_id"]
    again = ashby.post(START, start_body(), format="json")
    assert again.status_code == 409
    assert again.json()["success"] is False
    assert Interview.objects.count() == 1
    cancel = ashby.post(CANCEL, {"assessment_id": first}, format="json")
    assert cancel.status_code == 200
    retry = ashby.post(START, start_body(), format="json")
    assert retry.status_code == 200
    assert retry.json()["results"]["assessment_id"] != first


def test_start_same_application_other_test_is_allowed(ashby):
    assert ashby.post(START, start_body(), format="json").status_code == 200
    other = ashby.post(
        START, start_body(assessment_type_id="python-fundamentals-quiz"), format="json"
    )
    assert other.status_code == 200


def test_start_submitted_assessment_still_blocks(ashby):
    assessment_id = ashby.post(START, start_body(), format="json").json()["results"][
        "assessment_id"
    ]
    interview = Interview.objects.get(partner_interview_id=assessment_id)
    services.interview_start(interview=interview)
    services.interview_submit(interview=interview)
    assert ashby.post(START, start_body(), format="json").status_code == 409


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda b: b["candidate"].pop("email"), "candidate's email"),
        (lambda b: b["candidate"].update(email="nope"), "candidate's email"),
        (lambda b: b["candidate"].pop("ashby_profile_url"), "profile link"),
        (lambda b: b["application"].pop("status"), "application's status"),
        (lambda b: b["job"].pop("ashby_job_url"), "job's Ashby link"),
        (lambda b: b.pop("job"), "job"),
        (lambda b: b.update(candidate=None), "candidate"),
        (lambda b: b.update(assessment_type_id=["x"]), "assessment type"),
    ],
)
def test_start_validation_is_422_for_a_recruiter(ashby, mutate, words):
    body = start_body()
    mutate(body)
    response = ashby.post(START, body, format="json")
    assert response.status_code == 422, response.content
    message = response.json()["message"]
    assert words in message
    assert message.startswith("MarioHR could not start the assessment")
    assert Interview.objects.count() == 0


def test_start_unknown_type_is_422_naming_it(ashby):
    response = ashby.post(START, start_body(assessment_type_id="nope-test"), format="json")
    assert response.status_code == 422
    assert "nope-test" in response.json()["message"]


def test_start_tolerates_unknown_keys_and_other_application_status(ashby):
    body = start_body(somethingNew=True)
    body["application"]["status"] = "Interviewing"
    body["job"]["hiringTeam"] = None
    assert ashby.post(START, body, format="json").status_code == 200


def test_start_malformed_json_is_an_envelope_error(ashby):
    response = ashby.generic("POST", START, b"{oops", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_cancel_is_idempotent_and_stops_the_link(ashby):
    assessment_id = ashby.post(START, start_body(), format="json").json()["results"][
        "assessment_id"
    ]
    for _ in range(2):
        response = ashby.post(CANCEL, {"assessment_id": assessment_id}, format="json")
        assert response.status_code == 200
        assert response.json() == {"success": True, "results": {"assessment_id": assessment_id}}
    interview = Interview.objects.get(partner_interview_id=assessment_id)
    assert interview.status == Interview.Status.CANCELLED
    assert interview.cancelled_at is not None
    assert not interview.is_live


def test_cancel_unknown_or_other_org_is_404_envelope(ashby, other_org, catalog):
    other = ashby_client(other_org.raw_key)
    assessment_id = other.post(START, start_body(), format="json").json()["results"][
        "assessment_id"
    ]
    for unknown in (assessment_id, "does-not-exist"):
        response = ashby.post(CANCEL, {"assessment_id": unknown}, format="json")
        assert response.status_code == 404
        assert response.json()["errors"] == ["not_found"]
    assert Interview.objects.get(partner_interview_id=assessment_id).status == "sent"


def test_cancel_complete_is_422(ashby):
    assessment_id = ashby.post(START, start_body(), format="json").json()["results"][
        "assessment_id"
    ]
    interview = Interview.objects.get(partner_interview_id=assessment_id)
    services.interview_start(interview=interview)
    services.interview_submit(interview=interview)
    services.interview_score(interview=interview, score=80)
    response = ashby.post(CANCEL, {"assessment_id": assessment_id}, format="json")
    assert response.status_code == 422
    assert Interview.objects.get(pk=interview.pk).status == "complete"


def test_cancel_missing_id_is_422(ashby):
    response = ashby.post(CANCEL, {}, format="json")
    assert response.status_code == 422

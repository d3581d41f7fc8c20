# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""Each ATS's calls are logged under its name and route, linked to the interview the call
created or read, with the candidate's contact details masked."""

import json
import uuid

import pytest
from rest_framework.test import APIClient

from assessments.models import Interview
from conftest import basic
from tests.request_log_helpers import logged  # noqa: F401

CANDIDATE = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
CONTACT = ("Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000")


def bearer_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


def greenhouse(org, send_body):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(org.raw_key))
    body = send_body()
    body["candidate"].update(CANDIDATE, phone_number=CONTACT[3])
    return client, "/api/greenhouse/send_test", body, "greenhouse-send-test"


def ashby(org, send_body):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(org.raw_key))
    body = {
        "assessment_type_id": "py-fastapi-review",
        "candidate": {
            "ashby_id": "cand-1",
            **CANDIDATE,
            "phone": CONTACT[3],
            "ashby_profile_url": "https://app.ashbyhq.com/candidates/cand-1",
        },
        "application": {"ashby_id": "app-1", "status": "Active"},
        "job": {
            "ashby_id": "job-1",
            "name": "Backend Engineer",
            "ashby_job_url": "https://app.ashbyhq.com/jobs/job-1",
        },
    }
    return client, "/api/ashby/assessment.start", body, "ashby-start"


def workable(org, send_body):
    body = {
        "test_id": "py-fastapi-review",
        "job_shortcode": "GROOV005",
        "job_title": "Backend Engineer",
        "callback_url": "https://acme.workable.com/spi/v1/assessments/991/result",
        "candidate": {**CANDIDATE, "phone": CONTACT[3]},
    }
    return bearer_client(org.raw_key), "/api/workable/assessments", body, "workable-assessments"


def recruitee(org, send_body):
    body = {
        **CANDIDATE,
        "phone": CONTACT[3],
        "candidate_id": 1,
        "company_id": 7,
        "report_id": str(uuid.uuid4()),
        "test_id": "py-fastapi-review",
        "test_name": "Python FastAPI Code Review",
    }
    return (
        bearer_client(org.raw_key),
        "/api/recruitee/send_candidate",
        body,
        "recruitee-send-candidate",
    )


def teamtailor(org, send_body):
    result_id = str(uuid.uuid4())
    event = {
        "id": str(uuid.uuid4()),
        "webhook-data": {"test": "py-fastapi-review"},
        "partner-result": {
            "id": result_id,
            "status": "sending",
            "update-url": "https://api.teamtailor.com/partner/v1/partner-results/" + result_id,
        },
        "candidate": {
            "id": 54321,
            "first-name": CANDIDATE["first_name"],
            "last-name": CANDIDATE["last_name"],
            "email": CANDIDATE["email"],
            "phone": CONTACT[3],
        },
        "company": {"uuid": "vAXspNm0J2Y", "name": "Teamtailor", "url": "https://x.test"},
    }
    body = {"partner-event": event}
    return bearer_client(org.raw_key), "/api/teamtailor/webhook", body, "teamtailor-webhook"


@pytest.mark.parametrize("make_call", [greenhouse, ashby, workable, recruitee, teamtailor])
def test_a_create_call_is_logged_under_its_ats_with_its_interview(
    make_call, org, send_body, logged
):
    client, path, body, endpoint = make_call(org, send_body)
    response = client.post(path, body, format="json")
    assert response.status_code in (200, 201), response.content
    [row] = logged()
    interview = Interview.objects.get()
    assert (row.ats, row.endpoint, row.method, row.path) == (
        make_call.__name__,
        endpoint,
        "POST",
        path,
    )
    assert (row.organization, row.interview, row.status_code) == (
        org,
        interview,
        response.status_code,
    )
    stored = json.dumps([row.request_body, row.response_body])
    for detail in CONTACT:
        assert detail not in stored
    assert row.response_body and "_unparsed" not in row.response_body


def test_greenhouse_test_status_is_linked_to_the_interview_it_read(org, send_body, logged):
    client, path, body, _ = greenhouse(org, send_body)
    client.post(path, body, format="json")
    interview = Interview.objects.get()
    client.get(
        "/api/greenhouse/test_status", {"partner_interview_id": interview.partner_interview_id}
    )
    client.get("/api/greenhouse/test_status", {"partner_interview_id": "unknown"})
    _, status_row, unknown_row = logged()
    assert (status_row.endpoint, status_row.interview) == ("greenhouse-test-status", interview)
    assert (unknown_row.status_code, unknown_row.interview) == (404, None)


def test_ashby_cancel_is_linked_to_the_interview_it_cancelled(org, send_body, logged):
    client, path, body, _ = ashby(org, send_body)
    client.post(path, body, format="json")
    interview = Interview.objects.get()
    cancel = {"assessment_id": interview.partner_interview_id}
    assert client.post("/api/ashby/assessment.cancel", cancel, format="json").status_code == 200
    _, cancel_row = logged()
    assert (cancel_row.endpoint, cancel_row.interview) == ("ashby-cancel", interview)


def test_another_organizations_interview_is_never_linked(org, other_org, send_body, logged):
    client, path, body, _ = greenhouse(org, send_body)
    client.post(path, body, format="json")
    interview = Interview.objects.get()
    other, *_ = greenhouse(other_org, send_body)
    answer = other.get(
        "/api/greenhouse/test_status", {"partner_interview_id": interview.partner_interview_id}
    )
    assert answer.status_code == 404
    _, theirs = logged()
    assert (theirs.organization, theirs.interview) == (other_org, None)

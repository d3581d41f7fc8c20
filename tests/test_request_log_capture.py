# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""Every call to an ATS plug-in's API is logged after the response: who, which endpoint,
what came back, how long it took, with secrets and contact details masked."""

import json

import pytest
from rest_framework.test import APIClient

from assessments import services
from assessments.models import Interview
from conftest import basic
from integrations.request_log.buffer import pending
from integrations.request_log.models import PartnerRequest
from integrations.request_log.selectors import last_inbound_by_ats
from tests.request_log_helpers import logged, tasks_run_here  # noqa: F401

LIST = "/api/greenhouse/list_tests"
SEND = "/api/greenhouse/send_test"
ASHBY_LIST = "/api/ashby/assessment.list"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


def stored_text(row: PartnerRequest) -> str:
    return json.dumps([row.query, row.request_body, row.response_body])


def test_a_call_is_logged_with_its_organization_endpoint_status_and_latency(api, org, logged):
    assert api.get(LIST).status_code == 200
    [row] = logged()
    assert (row.organization, row.ats, row.endpoint, row.method) == (
        org,
        "greenhouse",
        "greenhouse-list-tests",
        "GET",
    )
    assert row.status_code == 200
    assert row.latency_ms > 0
    assert row.path == LIST
    assert row.response_body[0]["partner_test_id"]


def test_nothing_is_written_before_the_flush(api, logged):
    api.get(LIST)
    assert len(pending) == 1
    assert not PartnerRequest.objects.exists()


def test_a_full_buffer_is_written_when_the_request_finishes(api, logged, settings):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 2
    with tasks_run_here():
        api.get(LIST)
        assert not PartnerRequest.objects.exists()
        api.get(LIST)
    assert PartnerRequest.objects.count() == 2
    assert len(pending) == 0


def test_an_old_row_is_written_when_the_next_request_finishes(api, logged, settings):
    with tasks_run_here():
        api.get(LIST)
        settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS = 0
        api.get(LIST)
    assert PartnerRequest.objects.count() == 2


def test_an_ashby_call_is_logged_under_ashby(org, logged):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(org.raw_key))
    assert client.post(ASHBY_LIST, {}, format="json").status_code == 200
    [row] = logged()
    assert (row.ats, row.endpoint, row.method, row.organization) == (
        "ashby",
        "ashby-list",
        "POST",
        org,
    )


def test_a_refused_key_is_logged_without_an_organization(db, logged):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic("mh_not_a_key"))
    assert client.get(LIST).status_code == 401
    [row] = logged()
    assert row.organization is None
    assert row.status_code == 401
    assert "mh_not_a_key" not in stored_text(row)


def test_an_unknown_path_under_an_ats_is_logged_without_an_endpoint(api, logged):
    assert api.get("/api/greenhouse/nope").status_code == 404
    [row] = logged()
    assert (row.ats, row.endpoint, row.status_code) == ("greenhouse", "", 404)


def test_paths_outside_the_ats_apis_are_not_logged(api, client, logged):
    api.get("/api/schema/")
    api.get("/api/nosuchats/list_tests")
    client.get("/admin/login/")
    assert logged() == []


def test_the_log_can_be_switched_off(api, logged, settings):
    settings.MARIOHR_REQUEST_LOG_ENABLED = False
    assert api.get(LIST).status_code == 200
    assert logged() == []


def test_contact_details_and_secrets_are_masked_at_any_depth(api, org, send_body, logged):
    body = send_body()
    body["candidate"]["metadata"] = {"Api-Key": "k-123", "notes": "reach me at x.y@corp.example"}
    body["password"] = "hunter2"
    response = api.post(SEND, body, format="json")
    assert response.status_code == 200, response.content
    [row] = logged()
    candidate = row.request_body["candidate"]
    for field in ("first_name", "last_name", "email", "phone_number", "preferred_name"):
        assert candidate[field] == "[redacted]"
    assert candidate["metadata"] == {"Api-Key": "[redacted]", "notes": "reach me at [redacted]"}
    assert row.request_body["password"] == "[redacted]"
    assert row.request_body["partner_test_id"] == "py-fastapi-review"
    text = stored_text(row)
    for secret in ("Harry", "Potter", "hpotter@hogwarts.edu", "123-456-7890", "hunter2", "k-123"):
        assert secret not in text
    assert org.raw_key not in text


def test_links_to_reports_are_masked(api, send_body, logged, settings):
    response = api.post(SEND, send_body(), format="json")
    assert response.status_code == 200, response.content
    interview = Interview.objects.get(partner_interview_id=response.json()["partner_interview_id"])
    services.interview_score(interview=services.interview_start(interview=interview), score=70)
    status = api.get(
        "/api/greenhouse/test_status", {"partner_interview_id": interview.partner_interview_id}
    )
    link = status.json()["partner_profile_url"]
    assert link.startswith(settings.MARIOHR_BASE_URL + "/")
    send_row, status_row = logged()
    assert link not in stored_text(status_row)
    assert (
        status_row.response_body["partner_profile_url"] == settings.MARIOHR_BASE_URL + "/[redacted]"
    )
    assert send_row.response_body == {"partner_interview_id": interview.partner_interview_id}


def test_a_large_body_is_cut_to_the_cap(api, send_body, logged, settings):
    settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES = 2000
    body = send_body()
    body["candidate"]["metadata"] = {"essay": "x" * 5000, "items": list(range(500))}
    api.post(SEND, body, format="json")
    [row] = logged()
    metadata = row.request_body["candidate"]["metadata"]
    assert metadata["essay"] == "x" * 200 + "…"
    assert metadata["items"][-1] == "… 480 more"


def test_a_body_over_the_api_limit_is_neither_read_nor_kept(api, logged, settings):
    settings.MARIOHR_MAX_REQUEST_BYTES = 1000
    response = api.post(SEND, {"padding": "x" * 2000}, format="json")
    assert response.status_code == 413
    [row] = logged()
    assert row.status_code == 413
    assert row.request_body["_omitted"].endswith("bytes, too large to log")


def test_a_body_that_is_not_json_is_not_kept(api, logged):
    response = api.generic("POST", SEND, b"first_name=Harry&email=h@p.example", "text/plain")
    assert response.status_code in (400, 415)
    [row] = logged()
    assert row.request_body == {"_unparsed": "34 bytes, not storable JSON"}


def test_query_parameters_are_kept_redacted(api, logged):
    api.get("/api/greenhouse/test_status", {"partner_interview_id": "nope", "token": "t0k"})
    [row] = logged()
    assert row.query == {"partner_interview_id": "nope", "token": "[redacted]"}


def test_each_organization_sees_only_its_own_calls(org, other_org, client_for, logged):
    client_for(org).get(LIST)
    client_for(other_org).get(LIST)
    client_for(other_org).post(ASHBY_LIST, {}, format="json")
    rows = logged()
    assert [row.organization for row in rows] == [org, other_org, other_org]
    mine = last_inbound_by_ats(org)
    theirs = last_inbound_by_ats(other_org)
    assert set(mine) == {"greenhouse"} and mine["greenhouse"].organization == org
    assert set(theirs) == {"greenhouse", "ashby"}
    assert theirs["ashby"] == rows[2]


def test_the_request_id_is_kept(api, logged):
    request_id = pytest.importorskip("mariohr.request_id")
    assert request_id.current_request_id() == ""
    api.get(LIST, HTTP_X_REQUEST_ID="abc-123")
    [row] = logged()
    assert row.request_id == "abc-123"


def test_a_batch_from_another_database_is_refused(db):
    from integrations.request_log.services import partner_requests_write

    assert partner_requests_write(batch={"database": "elsewhere", "rows": [{}]}) == 0


def test_a_call_about_a_deleted_organization_is_kept_without_it(api, org, logged):
    api.get(LIST)
    row = pending._captured[0]
    row.organization_id = 10**9
    [logged_row] = logged()
    assert logged_row.organization is None

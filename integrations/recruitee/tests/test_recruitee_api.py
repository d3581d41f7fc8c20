"""The URLs Recruitee calls: tests and send_candidate, with Bearer keys per organization."""

import base64

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from assessments.models import Interview
from integrations.recruitee.models import RecruiteeSettings
from integrations.recruitee.services import recruitee_settings_set
from integrations.ssrf import UnsafeURL

from .conftest import SEND, TESTS, bearer, candidate_body


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """Recruitee's API host resolves to a public address, whatever this machine's DNS does."""
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


def test_tests_is_a_bare_array_of_the_enabled_tests(recruitee, org, catalog):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    response = recruitee.get(TESTS)
    assert response.status_code == 200
    tests = response.json()
    assert isinstance(tests, list)
    assert {"id": "py-fastapi-review", "name": "Python FastAPI Code Review"} in tests
    assert "sql-data-modeling" not in [t["id"] for t in tests]
    assert all(set(t) == {"id", "name"} for t in tests)


def test_send_candidate_creates_the_interview(recruitee, org, django_capture_on_commit_callbacks):
    body = candidate_body(phone="+31 20 123 4567", admin={"id": 3}, unknown_key="tolerated")
    with django_capture_on_commit_callbacks(execute=False):
        response = recruitee.post(SEND, body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    interview = Interview.objects.get(partner_interview_id=answer["id"])
    assert answer == {
        "id": interview.partner_interview_id,
        "report_id": body["report_id"],
        "status": "sent",
    }
    assert interview.organization == org
    assert interview.source == "recruitee"
    assert interview.test.partner_test_id == "py-fastapi-review"
    assert interview.candidate.email == "jon@example.com"
    assert interview.candidate.phone_number == "+31 20 123 4567"
    assert interview.candidate.ats_candidate_id == "1"
    assert interview.ats_data["recruitee_report_id"] == body["report_id"]
    assert interview.ats_data["recruitee_company_id"] == 7
    assert interview.callback_url.endswith(f"/reports/{body['report_id']}")
    assert RecruiteeSettings.objects.get(organization=org).company_id == 7


def test_send_candidate_tolerates_a_trailing_slash(recruitee):
    response = recruitee.post(SEND + "/", candidate_body(), format="json")
    assert response.status_code == 201


def test_a_repeated_report_id_returns_the_same_interview(recruitee, org):
    body = candidate_body()
    first = recruitee.post(SEND, body, format="json")
    again = recruitee.post(SEND, {**body, "first_name": "Other"}, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Interview.objects.filter(organization=org, source="recruitee").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", None),
        ("first_name", ""),
        ("last_name", "x" * 201),
        ("email", "not-an-email"),
        ("candidate_id", "abc"),
        ("candidate_id", 0),
        ("company_id", None),
        ("company_id", 2**64),
        ("report_id", "not-a-uuid"),
        ("test_id", ""),
        ("test_id", ["py-fastapi-review"]),
        ("phone", "9" * 101),
    ],
)
def test_bad_input_is_a_422_naming_the_field(recruitee, field, value):
    response = recruitee.post(SEND, candidate_body(**{field: value}), format="json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"] == "invalid_request"
    assert list(body["fields"]) == [field]
    assert body["message"].startswith("MarioHR could not send the test")
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "field",
    ["first_name", "last_name", "email", "company_id", "report_id", "test_id", "candidate_id"],
)
def test_a_missing_field_is_named(recruitee, field):
    body = candidate_body()
    del body[field]
    response = recruitee.post(SEND, body, format="json")
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_a_test_not_enabled_is_a_422_naming_test_id(recruitee, org, catalog):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    for test_id in ("sql-data-modeling", "no-such-test"):
        response = recruitee.post(SEND, candidate_body(test_id=test_id), format="json")
        assert response.status_code == 422
        assert list(response.json()["fields"]) == ["test_id"]
    assert not Interview.objects.exists()
    # Nothing was bound by a send that failed.
    assert not RecruiteeSettings.objects.filter(company_id__isnull=False).exists()


def test_a_body_that_is_not_json_is_refused(recruitee):
    response = recruitee.generic("POST", SEND, b"{not json", content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["error"]


def test_nul_bytes_are_refused_naming_the_field(recruitee):
    raw = b'{"first_name": "Jo\\u0000n", "last_name": "Snow", "email": "jon@example.com"}'
    response = recruitee.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert "first_name" in response.json()["fields"]
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer mhr_not_a_real_key",
        "Bearer ",
        "Token something",
    ],
)
@pytest.mark.parametrize("method,path", [("get", TESTS), ("post", SEND)])
def test_missing_or_wrong_token_is_a_401(header, method, path, org):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = getattr(client, method)(path, candidate_body(), format="json")
    assert response.status_code == 401
    assert response.json()["error"]
    assert not Interview.objects.exists()


def test_basic_auth_is_not_how_recruitee_calls(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{org.raw_key}:".encode()).decode()
    )
    assert client.get(TESTS).status_code == 401


def test_a_revoked_key_is_a_401(recruitee, org):
    from integrations.keys import api_key_revoke

    for api_key in org.api_keys.all():
        api_key_revoke(api_key=api_key)
    assert recruitee.get(TESTS).status_code == 401


def test_another_organization_sees_only_its_own(recruitee, org, other_org, catalog):
    other_org.enabled_tests.remove(catalog["py-fastapi-review"])
    body = candidate_body()
    mine = recruitee.post(SEND, body, format="json").json()["id"]
    theirs_client = bearer(other_org.raw_key)
    assert "py-fastapi-review" not in [t["id"] for t in theirs_client.get(TESTS).json()]
    # The same report id from another organization never returns (or touches) ours.
    response = theirs_client.post(
        SEND, {**body, "test_id": "sql-data-modeling", "company_id": 8}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["id"] != mine
    assert Interview.objects.get(partner_interview_id=mine).organization == org
    assert Interview.objects.filter(organization=other_org).count() == 1


def test_a_key_is_bound_to_the_first_recruitee_company(recruitee, org):
    assert recruitee.post(SEND, candidate_body(company_id=7), format="json").status_code == 201
    response = recruitee.post(SEND, candidate_body(company_id=99), format="json")
    assert response.status_code == 403
    assert response.json()["error"] == "company_mismatch"
    assert Interview.objects.filter(organization=org).count() == 1


def test_a_report_url_the_ssrf_guard_refuses_is_a_422(recruitee, org, partner_settings):
    recruitee_settings_set(organization=org)
    # A base URL that got past the checks (an old row, a changed allow-list): refused at send.
    RecruiteeSettings.objects.filter(organization=org).update(api_base_url="https://10.0.0.5/api")
    response = recruitee.post(SEND, candidate_body(), format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unsafe_report_url"
    assert "report_url" in body["fields"]
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/api",
        "https://localhost/api",
        "https://[::1]/api",
        "http://integrations.recruitee.com/api",
        "https://integrations.recruitee.com.evil.example/api",
        "https://169.254.169.254/latest",
        "https://user:pw@integrations.recruitee.com/api",
    ],
)
def test_settings_refuse_an_api_base_outside_recruitee(org, url):
    with pytest.raises(UnsafeURL):
        recruitee_settings_set(organization=org, api_base_url=url)


@pytest.mark.parametrize(
    ("field", "value"),
    [("codename", "Not_A_Codename"), ("codename", "trailing-"), ("partner_secret", "a\nb")],
)
def test_settings_refuse_a_bad_codename_or_secret(org, field, value):
    with pytest.raises((ValueError, ValidationError)):
        recruitee_settings_set(organization=org, **{field: value})
    row = RecruiteeSettings.objects.filter(organization=org).first()
    assert row is None or (row.codename == "" and row.partner_secret_encrypted == "")


def test_settings_accept_recruitee_rc(org):
    row = recruitee_settings_set(
        organization=org, api_base_url="https://integrations.rc.recruitee.dev/api/"
    )
    assert row.api_base_url == "https://integrations.rc.recruitee.dev/api"


def test_schema_lists_the_recruitee_paths_under_its_tag(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = {path.rstrip("/"): ops for path, ops in response.json()["paths"].items()}
    assert paths["/api/recruitee/tests"]["get"]["tags"] == ["Recruitee"]
    send = paths["/api/recruitee/send_candidate"]["post"]
    assert send["tags"] == ["Recruitee"]
    assert {"201", "401", "422"} <= set(send["responses"])


def test_seed_demo_prints_the_urls_to_register(org):
    from django.apps import apps

    lines = apps.get_app_config("recruitee").seed_demo(org)
    assert any("/api/recruitee/tests" in line for line in lines)
    assert any("/api/recruitee/send_candidate" in line for line in lines)
    assert RecruiteeSettings.objects.filter(organization=org).exists()


def test_a_report_url_another_integrations_interview_uses_is_a_409(recruitee, org, catalog):
    from assessments import services as lifecycle
    from integrations.recruitee.services import partner_for

    body = candidate_body()
    lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="greenhouse",
        callback_url=partner_for(organization=org).report_url(body["report_id"]),
    )
    response = recruitee.post(SEND, body, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    assert list(response.json()["fields"]) == ["report_url"]
    assert not Interview.objects.filter(source="recruitee").exists()

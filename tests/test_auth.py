import base64

import pytest
from rest_framework.test import APIClient

from assessments.models import Interview, Organization
from integrations.keys import api_key_revoke
from integrations.models import ApiKey

ENDPOINTS = [
    ("get", "/api/greenhouse/list_tests"),
    ("post", "/api/greenhouse/send_test"),
    ("get", "/api/greenhouse/test_status?partner_interview_id=abc"),
    ("post", "/api/greenhouse/response_error"),
]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def request(client, method, path, authorization=None):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    if method == "post":
        return client.post(path, {}, format="json", **headers)
    return client.get(path, **headers)


def assert_401(response):
    assert response.status_code == 401, response.content
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    body = response.json()
    assert body["error"] in ("not_authenticated", "authentication_failed")
    assert body["message"]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_missing_authorization_is_401_on_every_endpoint(db, method, path):
    assert_401(request(APIClient(), method, path))


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_bad_key_is_401_on_every_endpoint(org, method, path):
    forged = "mhr_" + "A" * 43
    assert_401(request(APIClient(), method, path, "Basic " + b64(forged + ":")))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer {key}",
        "Token {key}",
        "Digest username={key}",
        "{key}",
        "Basic",
        "Basic ",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"\xff\xfe:").decode(),
        "Basic " + b64(":"),
        "Basic " + b64("mhr_short:"),
        "Basic " + b64("mhr_" + "a" * 200 + ":"),
        "Basic " + b64("mhr_\x00abcdefghijk:"),
        "Basic " + b64("not-our-format:"),
    ],
)
def test_malformed_or_wrong_scheme_credentials_are_401(api, org, authorization):
    header = authorization.replace("{key}", org.raw_key)
    assert_401(request(APIClient(), "get", "/api/greenhouse/list_tests", header))


def test_key_as_username_with_empty_password_works(org, client_for):
    response = client_for(org).get("/api/greenhouse/list_tests")
    assert response.status_code == 200


def test_non_empty_password_is_ignored(org):
    header = "Basic " + b64(f"{org.raw_key}:whatever-the-ats-put-here")
    response = APIClient().get("/api/greenhouse/list_tests", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200


def test_lowercase_basic_scheme_is_accepted(org):
    header = "basic " + b64(f"{org.raw_key}:")
    response = APIClient().get("/api/greenhouse/list_tests", HTTP_AUTHORIZATION=header)
    assert response.status_code == 200


def test_revoked_key_is_401(org, client_for):
    api_key_revoke(api_key=ApiKey.objects.get(organization=org))
    assert_401(client_for(org).get("/api/greenhouse/list_tests"))


def test_inactive_organization_is_401(org, client_for):
    Organization.objects.filter(pk=org.pk).update(is_active=False)
    assert_401(client_for(org).get("/api/greenhouse/list_tests"))


def test_another_organizations_key_with_a_wrong_character_is_401(org, client_for):
    tampered = org.raw_key[:-1] + ("A" if org.raw_key[-1] != "A" else "B")
    assert_401(client_for(raw_key=tampered).get("/api/greenhouse/list_tests"))


def test_successful_auth_records_last_used(org, client_for):
    assert ApiKey.objects.get(organization=org).last_used_at is None
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 200
    assert ApiKey.objects.get(organization=org).last_used_at is not None


def test_unauthenticated_send_creates_nothing(db, send_body):
    response = APIClient().post("/api/greenhouse/send_test", send_body(), format="json")
    assert response.status_code == 401
    assert Interview.objects.count() == 0

"""The endpoints Workable calls: GET /tests, POST /assessments, GET …/shared-link."""

import base64

import pytest
from django.core import mail
from rest_framework.test import APIClient

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.models import Test as CatalogTest
from integrations.delivery.models import Delivery
from integrations.keys import api_key_revoke
from integrations.models import ApiKey

from .conftest import bearer_client, create_body

TESTS, ASSESSMENTS = "/api/workable/tests", "/api/workable/assessments"


def shared_link(assessment_id: str) -> str:
    return f"{ASSESSMENTS}/{assessment_id}/shared-link"


def create(client, **overrides) -> dict:
    response = client.post(ASSESSMENTS, create_body(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


# --- GET /tests -----------------------------------------------------------------------------


def test_tests_lists_the_organizations_enabled_tests_in_an_object(workable, org, catalog):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    response = workable.get(TESTS)
    assert response.status_code == 200
    tests = response.json()["tests"]
    ids = [test["id"] for test in tests]
    assert "py-fastapi-review" in ids and "sql-data-modeling" not in ids
    assert {"id": "py-fastapi-review", "name": "Python FastAPI Code Review"} in tests
    assert all(set(test) == {"id", "name"} and isinstance(test["id"], str) for test in tests)


def test_tests_of_each_organization_are_its_own(workable, org, other_org, catalog):
    other_org.enabled_tests.remove(catalog["py-fastapi-review"])
    mine = [t["id"] for t in workable.get(TESTS).json()["tests"]]
    theirs = [t["id"] for t in bearer_client(other_org.raw_key).get(TESTS + "/").json()["tests"]]
    assert "py-fastapi-review" in mine and "py-fastapi-review" not in theirs


# --- authentication -------------------------------------------------------------------------


def basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


@pytest.mark.parametrize(
    "header",
    [None, "Bearer mhr_not-a-key", "Bearer ", "Token abc"],
    ids=["missing", "wrong", "empty", "other-scheme"],
)
def test_a_missing_or_wrong_token_is_401_in_workables_envelope(db, header):
    client = APIClient()
    if header is not None:
        client.credentials(HTTP_AUTHORIZATION=header)
    for response in (client.get(TESTS), client.post(ASSESSMENTS, create_body(), format="json")):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        body = response.json()
        assert body["status"] == 401 and body["message"]
    assert not Interview.objects.exists()


def test_the_key_as_basic_auth_is_not_accepted(db, org):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(org.raw_key))
    assert client.get(TESTS).status_code == 401


def test_a_revoked_key_is_401(org, workable):
    api_key_revoke(api_key=ApiKey.objects.get(organization=org))
    assert workable.get(TESTS).status_code == 401


# --- POST /assessments ----------------------------------------------------------------------


def test_create_answers_201_and_invites_the_candidate(
    workable, org, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = workable.post(ASSESSMENTS, create_body(), format="json")
    assert response.status_code == 201, response.content
    (assessment_id,) = response.json().values()
    interview = Interview.objects.get(partner_interview_id=assessment_id)
    assert interview.organization == org
    assert interview.source == "workable"
    assert interview.callback_url == create_body()["callback_url"]
    assert interview.test.partner_test_id == "py-fastapi-review"
    assert interview.ats_data["workable_job_shortcode"] == "GROOV005"
    assert interview.ats_data["workable_job_title"] == "Backend Engineer"
    assert interview.candidate.phone_number == "+44 20 7946 0000"
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    (pending,) = Delivery.objects.filter(interview=interview)
    assert pending.kind == "workable_results" and pending.event["workable_status"] == "pending"
    assert pending.target_url == interview.callback_url


def test_create_again_with_the_same_callback_url_returns_the_same_assessment(workable):
    first = create(workable)
    again = workable.post(ASSESSMENTS, create_body(), format="json")
    assert again.status_code == 200
    assert again.json() == first
    assert Interview.objects.count() == 1
    assert Delivery.objects.count() == 1  # one pending message, not two


def test_create_with_another_callback_url_is_another_assessment(workable):
    first = create(workable)
    second = create(workable, callback_url="https://acme.workable.com/spi/v1/assessments/992/r")
    assert first != second


@pytest.mark.parametrize("test_id", [12, "12"])
def test_create_accepts_a_test_id_as_number_or_text(workable, org, test_id):
    numeric = CatalogTest.objects.create(partner_test_id="12", name="Numbered test")
    org.enabled_tests.add(numeric)
    assert "12" in [t["id"] for t in workable.get(TESTS).json()["tests"]]
    interview = Interview.objects.get(
        partner_interview_id=create(workable, test_id=test_id)["assessment_id"]
    )
    assert interview.test == numeric


def test_create_tolerates_missing_names_phone_and_unknown_keys(workable):
    body = create_body(candidate={"email": "ada@example.com", "resume_url": None}, extra={"a": 1})
    del body["job_title"]
    response = workable.post(ASSESSMENTS, body, format="json")
    assert response.status_code == 201, response.content
    assert Interview.objects.get().candidate.email == "ada@example.com"


def drop(*path):
    def mutate(body):
        *parents, last = path
        target = body
        for key in parents:
            target = target[key]
        del target[last]

    return mutate


def put(value, *path):
    def mutate(body):
        *parents, last = path
        target = body
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


@pytest.mark.parametrize(
    ("mutate", "status", "field"),
    [
        (drop("test_id"), 422, "test_id"),
        (drop("callback_url"), 422, "callback_url"),
        (drop("candidate"), 422, "candidate"),
        (drop("candidate", "email"), 422, "candidate.email"),
        (put(None, "candidate", "email"), 422, "candidate.email"),
        (put("not-an-email", "candidate", "email"), 400, "candidate.email"),
        (put("x" * 201, "candidate", "first_name"), 400, "candidate.first_name"),
        (put("ftp://files/cv.pdf", "candidate", "resume_url"), 400, "candidate.resume_url"),
        (put("a person", "candidate"), 400, "candidate"),
        (put(["py-fastapi-review"], "test_id"), 400, "test_id"),
        (put(True, "test_id"), 400, "test_id"),
        (put("", "test_id"), 400, "test_id"),
        (put({"a": 1}, "job_title"), 400, "job_title"),
        (put("not a url", "callback_url"), 400, "callback_url"),
        (put("no-such-test", "test_id"), 422, "test_id"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_input_is_a_4xx_naming_the_field(workable, mutate, status, field):
    body = create_body()
    mutate(body)
    response = workable.post(ASSESSMENTS, body, format="json")
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["status"] == status
    assert field in answer["fields"] and field in answer["message"]
    assert not Interview.objects.exists()


@pytest.mark.parametrize("raw", [b"{oops", b"[1, 2]", b'"text"', b""])
def test_a_body_that_is_not_an_object_is_400_in_the_envelope(workable, raw):
    response = workable.generic("POST", ASSESSMENTS, raw, content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert response.json()["status"] == response.status_code
    assert not Interview.objects.exists()


def test_nul_bytes_are_refused_with_a_400_naming_the_field(workable):
    raw = (
        b'{"test_id": "py-fastapi-review", "callback_url": '
        b'"https://acme.workable.com/spi/1", "candidate": {"email": "ada\\u0000@example.com"}}'
    )
    response = workable.generic("POST", ASSESSMENTS, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == 400 and "candidate.email" in body["message"]
    assert not Interview.objects.exists()
    path = workable.get(shared_link("abc%00def"))
    assert path.status_code == 404 and path.json()["status"] == 404


@pytest.mark.parametrize(
    ("callback_url", "words"),
    [
        ("http://acme.workable.com/spi/1", "https"),
        ("https://10.0.0.5/spi/1", "private"),
        ("https://169.254.169.254/latest/meta-data", "private"),
        ("https://localhost/spi/1", "localhost"),
        ("https://internal.workable.com/spi/1", "10.0.0.5"),
        ("https://acme.workable.com:2375/spi/1", "port"),
        ("https://user:pw@acme.workable.com/spi/1", "credentials"),
        ("https://evil.example.com/spi/1", "workable.com"),
        ("https://workable.com.evil.example.com/spi/1", "workable.com"),
    ],
)
def test_a_callback_url_the_guard_refuses_is_400_naming_it(workable, callback_url, words):
    response = workable.post(ASSESSMENTS, create_body(callback_url=callback_url), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["fields"]) == ["callback_url"]
    assert words in body["message"]
    assert not Interview.objects.exists() and not Delivery.objects.exists()


def test_the_callback_domain_is_the_organizations(workable, org):
    from integrations.workable.credentials import workable_settings_update

    workable_settings_update(organization=org, callback_domain="acme.example.com")
    elsewhere = workable.post(ASSESSMENTS, create_body(), format="json")
    assert elsewhere.status_code == 400
    create(workable, callback_url="https://ats.acme.example.com/results/1")


# --- isolation ------------------------------------------------------------------------------


def test_another_organizations_assessment_answers_like_an_unknown_one(workable, other_org):
    theirs = create(bearer_client(other_org.raw_key))["assessment_id"]
    unknown = workable.get(shared_link("does-not-exist"))
    foreign = workable.get(shared_link(theirs))
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.content == unknown.content


def test_the_same_callback_url_in_two_organizations_makes_two_assessments(workable, other_org):
    mine = create(workable)["assessment_id"]
    theirs = create(bearer_client(other_org.raw_key))["assessment_id"]
    assert mine != theirs
    assert Interview.objects.get(partner_interview_id=theirs).organization == other_org


# --- GET /assessments/{id}/shared-link ------------------------------------------------------


def test_shared_link_is_the_candidates_link_while_it_can_be_taken(workable):
    assessment_id = create(workable)["assessment_id"]
    interview = Interview.objects.get(partner_interview_id=assessment_id)
    response = workable.get(shared_link(assessment_id))
    assert response.status_code == 200
    body = response.json()
    assert body["url"].endswith(f"/t/{interview.candidate_token}")
    assert body["ttl_units"] == "minutes" and int(body["ttl"]) > 60

    lifecycle.interview_cancel(interview=interview)
    closed = workable.get(shared_link(assessment_id))
    assert closed.status_code == 409
    assert "cancelled" in closed.json()["message"]


# --- the rest of /api/workable/ and OpenAPI -------------------------------------------------


def test_an_unknown_path_is_404_in_workables_envelope(workable):
    response = workable.get("/api/workable/nothing-here")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_wrong_method_is_405_in_workables_envelope(workable):
    response = workable.delete(TESTS)
    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_openapi_lists_the_workable_paths_under_their_tag(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    # Paths that take an optional trailing slash are listed with it.
    paths = {path.rstrip("/"): item for path, item in schema.json()["paths"].items()}
    for path, method in [
        ("/api/workable/tests", "get"),
        ("/api/workable/assessments", "post"),
        ("/api/workable/assessments/{assessment_id}/shared-link", "get"),
    ]:
        assert paths[path][method]["tags"] == ["Workable"], path


def test_a_callback_url_another_integration_uses_is_409(workable, org, catalog):
    url = create_body()["callback_url"]
    lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="greenhouse",
        callback_url=url,
    )
    response = workable.post(ASSESSMENTS, create_body(), format="json")
    assert response.status_code == 409
    assert list(response.json()["fields"]) == ["callback_url"]
    assert not Interview.objects.filter(source="workable").exists()

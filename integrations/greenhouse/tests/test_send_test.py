import pytest
from django.core import mail

from assessments.models import Candidate, Interview

SEND = "/api/greenhouse/send_test"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    # Callback hosts in these tests are fixed names; resolution is tested in test_ssrf.py.
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


def test_send_test_creates_candidate_and_interview(
    api, org, send_body, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(SEND, send_body(), format="json")
    assert response.status_code == 200, response.content
    partner_interview_id = response.json()["partner_interview_id"]
    interview = Interview.objects.get(partner_interview_id=partner_interview_id)
    assert interview.organization == org
    assert interview.status == Interview.Status.SENT
    assert interview.callback_url.endswith("/take_home_tests/1")
    assert interview.sent_by == "recruiter@example.org"
    assert interview.candidate.ats_candidate_id == "17681532"
    assert interview.candidate.ats_application_id == "26234709"
    assert interview.candidate.preferred_name == "The Chosen One"
    assert len(partner_interview_id) >= 16
    assert interview.candidate_token not in partner_interview_id
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hpotter@hogwarts.edu"]
    assert f"/t/{interview.candidate_token}" in mail.outbox[0].body


def test_send_test_is_idempotent_per_callback_url(
    api, send_body, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(SEND, send_body(), format="json").json()
        second = api.post(SEND, send_body(), format="json").json()
    assert first == second
    assert Interview.objects.count() == 1
    assert Candidate.objects.count() == 1
    assert len(mail.outbox) == 1


def test_send_test_accepts_trailing_slash_without_redirect(api, send_body):
    response = api.post(SEND + "/", send_body(), format="json")
    assert response.status_code == 200


def test_send_test_tolerates_nulls_and_unknown_keys(api, send_body):
    body = send_body(sent_by=None, brand_new_field={"x": 1})
    body["candidate"].update(preferred_name=None, phone_number=None, resume_url=None, extra=1)
    response = api.post(SEND, body, format="json")
    assert response.status_code == 200, response.content


def test_send_test_accepts_url_inside_candidate(api, send_body):
    body = send_body()
    body["candidate"]["url"] = body.pop("url")
    response = api.post(SEND, body, format="json")
    assert response.status_code == 200, response.content
    interview = Interview.objects.get()
    assert interview.callback_url == body["candidate"]["url"]


def test_send_test_ids_are_random_not_sequential(api, send_body):
    ids = {
        api.post(SEND, send_body(url=f"https://ats.example.com/cb/{n}"), format="json").json()[
            "partner_interview_id"
        ]
        for n in range(5)
    }
    assert len(ids) == 5
    assert all(not i.isdigit() for i in ids)


def test_partner_interview_ids_are_128_bit_url_safe_and_never_look_like_options():
    import base64
    import re

    from assessments.models import new_partner_interview_id

    ids = [new_partner_interview_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{21}", i) for i in ids)
    assert len(base64.urlsafe_b64decode(ids[0] + "==")) == 16


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.pop("partner_test_id"), "partner_test_id"),
        (lambda b: b.pop("candidate"), "candidate"),
        (lambda b: b["candidate"].pop("first_name"), "candidate.first_name"),
        (lambda b: b["candidate"].pop("last_name"), "candidate.last_name"),
        (lambda b: b["candidate"].pop("email"), "candidate.email"),
        (lambda b: b["candidate"].update(email="not-an-email"), "candidate.email"),
        (
            lambda b: b["candidate"].pop("greenhouse_profile_url"),
            "candidate.greenhouse_profile_url",
        ),
        (
            lambda b: b["candidate"].update(greenhouse_profile_url="nope"),
            "candidate.greenhouse_profile_url",
        ),
        (lambda b: b["candidate"].update(first_name=None), "candidate.first_name"),
        (lambda b: b["candidate"].update(first_name=["x"]), "candidate.first_name"),
        (lambda b: b.update(candidate="Harry"), "candidate"),
        (lambda b: b.update(partner_test_id=None), "partner_test_id"),
        (lambda b: b.update(partner_test_id=12), "partner_test_id"),
        (lambda b: b.pop("url"), "url"),
        (lambda b: b.update(url="http://ats.example.com/cb"), "url"),
        (lambda b: b.update(url="https://127.0.0.1/cb"), "url"),
        (lambda b: b.update(sent_by={"a": 1}), "sent_by"),
        (lambda b: b["candidate"].update(first_name="x" * 201), "candidate.first_name"),
    ],
)
def test_send_test_validation_errors_name_the_field(api, send_body, mutate, field):
    body = send_body()
    mutate(body)
    response = api.post(SEND, body, format="json")
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["error"] == "invalid_request"
    assert field in payload["fields"], payload
    assert Interview.objects.count() == 0


def test_send_test_unknown_test_is_400_naming_it(api, send_body):
    response = api.post(SEND, send_body(partner_test_id="does-not-exist"), format="json")
    assert response.status_code == 400
    assert "does-not-exist" in response.json()["fields"]["partner_test_id"][0]


def test_send_test_disabled_test_is_400(api, org, catalog, send_body):
    org.enabled_tests.remove(catalog["py-fastapi-review"])
    response = api.post(SEND, send_body(), format="json")
    assert response.status_code == 400
    assert "py-fastapi-review" in response.json()["message"]


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b"{not json", "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b'"just a string"', "application/json"),
        (b'{"partner_test_id": NaN}', "application/json"),
        (b"\xff\xfe", "application/json"),
    ],
)
def test_send_test_malformed_bodies_are_400(api, raw, content_type):
    response = api.generic("POST", SEND, raw, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["message"]


def test_send_test_wrong_content_type_is_415(api):
    response = api.generic("POST", SEND, b"a=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_send_test_oversized_body_is_413(api, send_body, settings):
    settings.MARIOHR_MAX_REQUEST_BYTES = 2048
    body = send_body(padding="x" * 5000)
    response = api.post(SEND, body, format="json")
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_send_test_get_is_405(api):
    response = api.get(SEND)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_send_test_same_url_in_two_organizations_are_two_interviews(
    api, other_org, client_for, send_body
):
    mine = api.post(SEND, send_body(), format="json").json()
    theirs = client_for(other_org).post(SEND, send_body(), format="json").json()
    assert mine != theirs
    assert Interview.objects.count() == 2


def test_send_test_different_urls_are_different_interviews(api, send_body):
    first = api.post(SEND, send_body(url="https://ats.example.com/cb/1"), format="json").json()
    second = api.post(SEND, send_body(url="https://ats.example.com/cb/2"), format="json").json()
    assert first != second
    assert Interview.objects.count() == 2


def test_send_test_invitation_email_carries_the_test_link(
    api, org, send_body, django_capture_on_commit_callbacks, celery_eager, settings
):
    settings.MARIOHR_BASE_URL = "https://assess.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        api.post(SEND, send_body(), format="json")
    interview = Interview.objects.get()
    message = mail.outbox[0]
    assert "Python FastAPI Code Review" in message.subject
    assert org.name in message.subject
    link = f"https://assess.example.com/t/{interview.candidate_token}"
    assert link in message.body
    html = message.alternatives[0]
    assert link in (html.content if hasattr(html, "content") else html[0])


def test_send_test_queues_the_email_only_after_commit(
    api, send_body, django_capture_on_commit_callbacks, celery_eager
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        api.post(SEND, send_body(), format="json")
    assert len(mail.outbox) == 0
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_send_test_overlong_profile_ids_are_not_parsed(api, send_body):
    body = send_body()
    body["candidate"]["greenhouse_profile_url"] = (
        "https://app.greenhouse.io/people/" + "1" * 150 + "?application_id=" + "2" * 150
    )
    response = api.post(SEND, body, format="json")
    assert response.status_code == 200, response.content
    candidate = Interview.objects.get().candidate
    assert candidate.ats_candidate_id == ""
    assert candidate.ats_application_id == ""


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"partner_test_id": "py-fastapi-review\\u0000"}', "partner_test_id"),
        (b'{"candidate": {"first_name": "\\ud800"}}', "candidate.first_name"),
        (b'{"whatever": ["ok", "\\u0000"]}', "whatever[1]"),
    ],
)
def test_send_test_unstorable_strings_are_400_naming_the_field(api, raw, field):
    response = api.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Interview.objects.count() == 0


def test_send_test_deeply_nested_body_is_400(api):
    raw = b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = api.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code == 400
    assert "nested" in response.json()["message"] or "Malformed" in response.json()["message"]


def test_send_test_multi_megabyte_body_is_413(api):
    raw = b'{"padding": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = api.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_send_test_empty_body_names_the_required_fields(api):
    response = api.generic("POST", SEND, b"", content_type="application/json")
    assert response.status_code == 400
    assert {"partner_test_id", "candidate", "url"} <= set(response.json()["fields"])


def test_send_test_post_is_never_redirected(api, send_body):
    for path in (SEND, SEND + "/"):
        response = api.post(path, send_body(url=f"https://ats.example.com{path}"), format="json")
        assert response.status_code == 200
        assert "Location" not in response.headers


ODD_VALUES = [None, 0, -1, 1.5, True, [], ["x"], {}, {"a": "b"}, "", " ", "x" * 3000, "\u202e"]
FIELDS = [
    "partner_test_id",
    "url",
    "sent_by",
    "candidate.first_name",
    "candidate.last_name",
    "candidate.email",
    "candidate.greenhouse_profile_url",
    "candidate.preferred_name",
    "candidate.phone_number",
    "candidate.resume_url",
    "candidate.url",
]


@pytest.mark.parametrize("field", FIELDS)
def test_send_test_odd_values_are_never_a_500(api, send_body, field):
    for value in ODD_VALUES:
        body = send_body(url=f"https://ats.example.com/odd/{field}/{ODD_VALUES.index(value)}")
        target, _, name = field.rpartition(".")
        (body["candidate"] if target else body)[name] = value
        response = api.post(SEND, body, format="json")
        assert response.status_code in (200, 400), (field, value, response.content)
        if response.status_code == 400:
            assert response.json()["fields"], (field, value)


def test_send_test_refuses_a_url_another_integrations_interview_uses(api, org, catalog, send_body):
    from assessments import services as lifecycle

    url = send_body()["url"]
    lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="workable",
        callback_url=url,
    )
    nested = send_body()
    nested["candidate"]["url"] = nested.pop("url")
    for body in (send_body(), nested):
        response = api.post(SEND, body, format="json")
        assert response.status_code == 409, body
        assert response.json()["error"] == "conflict"
        assert list(response.json()["fields"]) == ["url"]
    assert not Interview.objects.filter(source="greenhouse").exists()

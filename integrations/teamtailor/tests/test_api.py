"""The endpoints Teamtailor calls: /config, /webhook, /activation and its validation."""

import json
import time

import pytest

from assessments.models import Interview
from integrations.delivery.models import Delivery
from integrations.teamtailor.auth import jwt_sign, webhook_signature_valid
from integrations.teamtailor.services import teamtailor_settings_set

from .conftest import PARTNER_KEY, TEAMTAILOR_RESULTS, bearer_client

CONFIG, WEBHOOK = "/api/teamtailor/config", "/api/teamtailor/webhook"
ACTIVATION, VALIDATE = "/api/teamtailor/activation", "/api/teamtailor/activation/validate"


def post_webhook(client, body, **headers):
    return client.post(WEBHOOK, body, format="json", **headers)


# --- /config ------------------------------------------------------------------------------


def test_config_offers_the_organizations_enabled_tests(teamtailor, org, catalog):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    response = teamtailor.get(CONFIG, {"job_id": "123", "stage_id": "4", "user_id": "5"})
    assert response.status_code == 200
    (field,) = response.json()["config"]["fields"]
    assert field["id"] == "test" and field["type"] == "select"
    offered = {option["id"]: option["label"] for option in field["options"]}
    assert offered["py-fastapi-review"] == catalog["py-fastapi-review"].name
    assert "sql-data-modeling" not in offered
    assert response.json()["config"]["assessment-criteria"] == [
        {"id": "overall", "label": "Overall score"}
    ]


def test_config_with_a_wrong_key_is_401_with_an_error_field_teamtailor_shows(db, catalog):
    response = bearer_client("mhr_not-a-real-key-at-all").get(CONFIG)
    assert response.status_code == 401
    (field,) = response.json()["config"]["fields"]
    assert field["type"] == "error" and "provider key" in field["message"]


def test_config_without_enabled_tests_says_so_in_an_error_field(teamtailor, org):
    org.enabled_tests.clear()
    (field,) = teamtailor.get(CONFIG).json()["config"]["fields"]
    assert field["type"] == "error" and "No MarioHR tests" in field["message"]


def test_config_shows_only_the_calling_organizations_catalog(teamtailor, org, other_org, catalog):
    other_org.enabled_tests.remove(catalog["py-fastapi-review"])
    theirs = bearer_client(other_org.raw_key).get(CONFIG).json()
    ours = teamtailor.get(CONFIG).json()
    assert "py-fastapi-review" in {o["id"] for o in ours["config"]["fields"][0]["options"]}
    assert "py-fastapi-review" not in {o["id"] for o in theirs["config"]["fields"][0]["options"]}


# --- /webhook: create, idempotent repeat ---------------------------------------------------


def test_webhook_sends_the_test_and_answers_sent(teamtailor, org, webhook_body):
    body = webhook_body(result_id="1a6d5a41")
    response = post_webhook(teamtailor, body)
    assert response.status_code == 201, response.content
    attributes = response.json()["partner_result_attributes"]
    assert attributes["status"] == "sent"
    assert "Python" in attributes["summary"] or attributes["summary"]
    interview = Interview.objects.get(organization=org)
    assert attributes["url"].endswith(f"/reports/{interview.report_token}")
    assert interview.source == "teamtailor"
    assert interview.callback_url == TEAMTAILOR_RESULTS + "1a6d5a41"
    assert interview.test.partner_test_id == "py-fastapi-review"
    assert interview.candidate.email == "applicant100@example.com"
    assert interview.candidate.ats_candidate_id == "54321"
    assert interview.sent_by == "recruiter@example.com"
    assert interview.ats_data["teamtailor_partner_result_id"] == "1a6d5a41"
    assert interview.ats_data["teamtailor_company_uuid"] == "vAXspNm0J2Y"
    assert interview.ats_data["teamtailor_job_title"] == "Full-stack web developer"
    (delivery,) = Delivery.objects.filter(interview=interview)
    assert delivery.kind == "teamtailor_result" and delivery.event["trigger"] == "sent"
    assert delivery.target_url == interview.callback_url


def test_a_repeated_webhook_returns_the_same_interview_and_queues_nothing_new(
    teamtailor, org, webhook_body
):
    body = webhook_body()
    first = post_webhook(teamtailor, body)
    again = post_webhook(teamtailor, body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Interview.objects.filter(organization=org).count() == 1
    assert Delivery.objects.count() == 1


def test_an_update_url_another_integrations_interview_uses_is_a_409(
    teamtailor, org, catalog, webhook_body
):
    from assessments import services as lifecycle

    body = webhook_body()
    lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="greenhouse",
        callback_url=body["partner-event"]["partner-result"]["update-url"],
    )
    response = post_webhook(teamtailor, body)
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().startswith("partner-event.partner-result.update-url: ")
    assert not Interview.objects.filter(source="teamtailor").exists()
    assert not Delivery.objects.exists()


def test_the_company_beside_the_event_is_read_too(teamtailor, org, webhook_body):
    body = webhook_body()
    body["company"] = body["partner-event"].pop("company")
    assert post_webhook(teamtailor, body).status_code == 201
    assert Interview.objects.get().ats_data["teamtailor_company_name"] == "Teamtailor"


def test_another_organizations_identical_webhook_gets_its_own_interview(
    teamtailor, org, other_org, webhook_body
):
    body = webhook_body()
    ours = post_webhook(teamtailor, body)
    theirs = post_webhook(bearer_client(other_org.raw_key), body)
    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert (
        ours.json()["partner_result_attributes"]["url"]
        != (theirs.json()["partner_result_attributes"]["url"])
    )
    assert Interview.objects.filter(organization=org).count() == 1
    assert Interview.objects.filter(organization=other_org).count() == 1


# --- /webhook: bad input -------------------------------------------------------------------


def _without(body, *path):
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def _with(body, value, *path):
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda b: _without(b, "partner-event", "candidate", "email"), "candidate.email"),
        (lambda b: _with(b, "nope", "partner-event", "candidate", "email"), "candidate.email"),
        (lambda b: _without(b, "partner-event", "candidate", "first-name"), "first-name"),
        (lambda b: _with(b, True, "partner-event", "candidate", "id"), "candidate.id"),
        (lambda b: _without(b, "partner-event", "partner-result", "id"), "partner-result.id"),
        (
            lambda b: _with(b, "not a url", "partner-event", "partner-result", "update-url"),
            "partner-result.update-url",
        ),
        (lambda b: _without(b, "partner-event", "webhook-data", "test"), "webhook-data.test"),
        (lambda b: _with(b, "x" * 300, "partner-event", "candidate", "last-name"), "last-name"),
        (lambda b: _with(b, [], "partner-event", "candidate"), "partner-event.candidate"),
        (lambda b: _without(b, "partner-event"), "partner-event"),
    ],
)
def test_bad_webhook_input_is_a_400_naming_the_field_in_plain_text(
    teamtailor, webhook_body, change, field
):
    response = post_webhook(teamtailor, change(webhook_body()))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert field in response.content.decode()
    assert not Interview.objects.exists()


def test_an_unknown_test_is_a_422_naming_the_field(teamtailor, webhook_body):
    body = webhook_body()
    body["partner-event"]["webhook-data"]["test"] = "no-such-test"
    response = post_webhook(teamtailor, body)
    assert response.status_code == 422
    assert "webhook-data.test" in response.content.decode()
    assert "no-such-test" in response.content.decode()
    assert not Interview.objects.exists()


def test_a_disabled_test_is_refused_like_an_unknown_one(teamtailor, org, catalog, webhook_body):
    org.enabled_tests.remove(catalog["py-fastapi-review"])
    assert post_webhook(teamtailor, webhook_body()).status_code == 422


@pytest.mark.parametrize(
    "update_url, reason",
    [
        ("https://10.0.0.1/partner/v1/partner-results/1", "private"),
        ("https://169.254.169.254/latest/meta-data/", "private"),
        ("https://localhost/partner/v1/partner-results/1", "localhost"),
        ("http://api.teamtailor.com/partner/v1/partner-results/1", "https"),
        ("https://evil.example.com/partner/v1/partner-results/1", "Teamtailor API host"),
    ],
)
def test_an_unsafe_update_url_is_refused_naming_the_field(
    teamtailor, webhook_body, update_url, reason
):
    response = post_webhook(teamtailor, webhook_body(update_url=update_url))
    assert response.status_code == 400
    text = response.content.decode()
    assert "partner-event.partner-result.update-url" in text and reason in text
    assert not Interview.objects.exists()


@pytest.mark.parametrize("host", ["api.na.teamtailor.com", "api.au.teamtailor.com"])
def test_update_urls_on_every_teamtailor_stack_are_accepted(teamtailor, webhook_body, host):
    url = f"https://{host}/partner/v1/partner-results/abc"
    assert post_webhook(teamtailor, webhook_body(update_url=url)).status_code == 201


def test_nul_bytes_are_refused_with_a_400(teamtailor, webhook_body):
    body = webhook_body()
    body["partner-event"]["candidate"]["first-name"] = "Jus\u0000ton"
    response = post_webhook(teamtailor, body)
    assert response.status_code == 400
    assert not Interview.objects.exists()


def test_a_body_that_is_not_json_is_a_400_in_plain_text(teamtailor):
    response = teamtailor.post(WEBHOOK, b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


# --- authentication -------------------------------------------------------------------------


def test_a_webhook_without_a_provider_key_is_401(db, webhook_body):
    from rest_framework.test import APIClient

    response = post_webhook(APIClient(), webhook_body())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "mhr_wrongwrongwrongwrongwrongwrong",
        "not-a-key",
        "a.b.c",
        jwt_sign({"api_key": "mhr_wrongwrongwrongwrong"}, PARTNER_KEY),
    ],
)
def test_a_wrong_provider_key_is_401(db, catalog, webhook_body, token):
    response = post_webhook(bearer_client(token), webhook_body())
    assert response.status_code == 401
    assert not Interview.objects.exists()


def _b64u(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


DEEP_JWTS = [
    _b64u(b"[" * 2500) + "." + _b64u(b"{}") + ".x",
    _b64u(b'{"alg":"HS256"}') + "." + _b64u(b"[" * 2500) + ".x",
]


@pytest.mark.parametrize("token", ["a.b.c", *DEEP_JWTS])
def test_a_malformed_provider_key_is_401_in_each_endpoints_shape(db, catalog, webhook_body, token):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    config = client.get(CONFIG)
    assert config.status_code == 401
    assert config.json()["config"]["fields"] == [
        {"type": "error", "message": "Malformed provider key."}
    ]
    validate = client.get(VALIDATE)
    assert (validate.status_code, validate.json()) == (401, {"errors": ["Malformed provider key."]})
    webhook = post_webhook(client, webhook_body())
    assert (webhook.status_code, webhook.content) == (401, b"Malformed provider key.")
    assert not Interview.objects.exists()


@pytest.mark.parametrize("token", ["a.b.c", *DEEP_JWTS])
def test_malformed_provider_keys_count_as_failed_logins(org, settings, token):
    settings.MARIOHR_AUTH_FAILURE_LIMIT = (2, 300)
    for _ in range(2):
        assert bearer_client(token).get(VALIDATE).status_code == 401
    assert bearer_client(org.raw_key).get(VALIDATE).status_code == 429


def test_a_revoked_key_is_401(teamtailor, org, webhook_body):
    from integrations.keys import api_key_revoke
    from integrations.models import ApiKey

    api_key_revoke(api_key=ApiKey.objects.get(organization=org))
    assert post_webhook(teamtailor, webhook_body()).status_code == 401


def test_a_provider_key_jwt_signed_with_the_partner_key_authenticates(org, webhook_body):
    teamtailor_settings_set(organization=org, api_key=PARTNER_KEY)
    for claim in ("api_key", "api-key"):
        token = jwt_sign({claim: org.raw_key}, PARTNER_KEY)
        response = post_webhook(bearer_client(token), webhook_body())
        assert response.status_code == 201, response.content
    assert Interview.objects.filter(organization=org).count() == 2


def test_a_provider_key_jwt_with_a_wrong_signature_is_401(org, webhook_body):
    teamtailor_settings_set(organization=org, api_key=PARTNER_KEY)
    token = jwt_sign({"api_key": org.raw_key}, "someone-elses-key")
    assert post_webhook(bearer_client(token), webhook_body()).status_code == 401


def test_an_unsigned_jwt_is_401(org, webhook_body):
    import base64
    import json

    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token = part({"alg": "none"}) + "." + part({"api_key": org.raw_key}) + "."
    assert post_webhook(bearer_client(token), webhook_body()).status_code == 401


def test_an_expired_jwt_is_401(org, webhook_body):
    token = jwt_sign({"api_key": org.raw_key, "exp": int(time.time()) - 10}, PARTNER_KEY)
    assert post_webhook(bearer_client(token), webhook_body()).status_code == 401


def test_with_a_webhook_secret_set_a_valid_signature_is_required(teamtailor, org, webhook_body):
    import hashlib
    import hmac

    teamtailor_settings_set(organization=org, webhook_secret="whsec-tt")
    body = webhook_body()
    event_id = body["partner-event"]["id"]

    def signature(secret, moment):
        digest = hmac.new(secret.encode(), f"{moment}.{event_id}".encode(), hashlib.sha256)
        return f"t={moment},v1={digest.hexdigest()}"

    now = int(time.time())
    refused = [
        {},
        {"HTTP_TEAMTAILOR_SIGNATURE": signature("wrong", now)},
        {"HTTP_TEAMTAILOR_SIGNATURE": signature("whsec-tt", now - 3600)},
    ]
    for headers in refused:
        response = post_webhook(teamtailor, body, **headers)
        assert response.status_code == 401, headers
        assert "Teamtailor-Signature" in response.content.decode()
    response = post_webhook(teamtailor, body, HTTP_TEAMTAILOR_SIGNATURE=signature("whsec-tt", now))
    assert response.status_code == 201
    assert Interview.objects.count() == 1


@pytest.mark.parametrize("moment", ["²", "¹²³", "9" * 4301, "-1"])
def test_a_signature_time_that_is_not_a_short_ascii_number_is_401(
    teamtailor, org, webhook_body, moment
):
    teamtailor_settings_set(organization=org, webhook_secret="whsec-tt")
    response = post_webhook(
        teamtailor, webhook_body(), HTTP_TEAMTAILOR_SIGNATURE=f"t={moment},v1=ab"
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/plain")
    assert "Teamtailor-Signature" in response.content.decode()


def test_signature_check_accepts_only_v1():
    assert not webhook_signature_valid("t=1,v0=abc", partner_event_id="e", secret="s", now=1)
    assert not webhook_signature_valid("garbage", partner_event_id="e", secret="s", now=1)


# --- activation -----------------------------------------------------------------------------


def test_the_activation_form_asks_for_the_mariohr_api_key_without_authentication(db):
    from rest_framework.test import APIClient

    response = APIClient().get(ACTIVATION, {"company_uuid": "vAXspNm0J2Y"})
    assert response.status_code == 200
    body = response.json()
    assert body["validateEndpoint"] == "activation/validate"
    assert any(
        f.get("id") == "api_key" and f["type"] == "password" for f in body["config"]["fields"]
    )


def test_validate_accepts_a_good_key_and_refuses_a_wrong_one(teamtailor, org, db):
    response = teamtailor.get(VALIDATE)
    assert response.status_code == 200 and response.json()["organization"] == org.name
    wrong = bearer_client("mhr_wrongwrongwrongwrongwrong").get(VALIDATE)
    assert wrong.status_code == 401
    assert wrong.json() == {"errors": ["Invalid or revoked provider key."]}


# --- the plug-in's place in the project ----------------------------------------------------


def test_an_unknown_path_answers_in_teamtailors_envelope(teamtailor):
    response = teamtailor.get("/api/teamtailor/no-such-thing")
    assert response.status_code == 404
    assert list(response.json()) == ["errors"]


def test_the_openapi_schema_lists_the_teamtailor_paths_under_their_tag(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    operations = {
        "/api/teamtailor/config": "get",
        "/api/teamtailor/webhook": "post",
        "/api/teamtailor/activation": "get",
        "/api/teamtailor/activation/validate": "get",
    }
    for path, method in operations.items():
        assert paths[path][method]["tags"] == ["Teamtailor"]
    errors = paths["/api/teamtailor/webhook"]["post"]["responses"]["400"]["content"]
    assert list(errors) == ["text/plain"]


def test_seed_demo_prints_how_to_call_the_teamtailor_endpoints(db, capsys):
    from django.core.management import call_command

    from integrations.teamtailor.models import TeamtailorSettings

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    captured = capsys.readouterr()
    assert "/api/teamtailor/config" in captured.out + captured.err
    assert TeamtailorSettings.objects.count() == 1
    lines = captured.err.splitlines()
    # Pasted into a shell, $KEY expands (inside single quotes it would not: a 401).
    assert any(
        line.startswith('Teamtailor:   curl -H "Authorization: Bearer $KEY" ')
        and line.endswith("/api/teamtailor/config")
        for line in lines
    ), lines
    assert not any("'Authorization" in line for line in lines)
    assert not any(line.startswith("Teamtailor: Teamtailor:") for line in lines)

"""The sandbox flow for every ATS: a sandbox twin as it comes out of the box (no settings
filled in), the ATS's own call creates the interview with the built-in receiver as its
callback, the candidate takes the test, a reviewer scores it, and the receiver holds every
update, signed with the sandbox's secret, the credentials carried but stored redacted. Also: a production
organization cannot point credentials at the receiver by any setting, and a sandbox cannot
point them at another sandbox's receiver."""

import base64
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from celery.contrib.testing.worker import start_worker
from rest_framework.test import APIClient

from assessments.models import Interview
from integrations.ashby.models import AshbySettings
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.crypto import decrypt
from integrations.delivery.models import Delivery
from integrations.delivery.services import delivery_attempt
from integrations.recruitee.models import RecruiteeSettings
from integrations.recruitee.services import recruitee_settings_set
from integrations.sandbox.callback_trial import test_callback_send as callback_send
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import receiver_http_url, receiver_url
from integrations.sandbox.services import sandbox_twin_create
from integrations.sandbox.targets import sandbox_receiver_allowed
from integrations.ssrf import UnsafeURL
from integrations.teamtailor.models import TeamtailorSettings
from integrations.teamtailor.services import teamtailor_settings_set
from integrations.workable.credentials import workable_settings_update
from integrations.workable.models import WorkableSettings
from tests.delivery_helpers import bearer_client, candidate_completes, wait_for

REPORT_ID = "0b5b8a4e-55c1-4d7e-9a43-3b3cbd8e6a10"


def twin_secret(ats_name: str, twin) -> str:
    """The credential the twin's creation gave it for ``ats_name`` ("" for Greenhouse)."""
    rows = {
        "ashby": (AshbySettings, "api_key_encrypted"),
        "workable": (WorkableSettings, "results_token_encrypted"),
        "recruitee": (RecruiteeSettings, "partner_secret_encrypted"),
        "teamtailor": (TeamtailorSettings, "api_key_encrypted"),
    }
    if ats_name not in rows:
        return ""
    model, column = rows[ats_name]
    return decrypt(getattr(model.objects.get(organization=twin), column))


def basic_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
    )
    return client


def teamtailor_event(update_url: str) -> dict:
    return {
        "partner-event": {
            "id": str(uuid.uuid4()),
            "webhook-data": {"test": "py-fastapi-review"},
            "partner-result": {"id": "res-1", "status": "sending", "update-url": update_url},
            "candidate": {
                "id": 54321,
                "first-name": "Juston",
                "last-name": "Becker",
                "email": "applicant@example.com",
            },
        }
    }


@dataclass(frozen=True)
class Ats:
    """What the README tells a developer to do for one ATS: make the ATS's call (nothing to
    configure on the sandbox); and what the receiver then holds."""

    send: Callable  # (raw_key, callback_url) -> response
    method: str
    path: str
    auth_header: str  # as stored: the scheme, the secret redacted
    scored: Callable  # (body) -> bool: the final update carries the score

    def __str__(self) -> str:
        return self.path


ATS = {
    "greenhouse": Ats(
        send=lambda key, callback: basic_client(key).post(
            "/api/greenhouse/send_test",
            greenhouse_body(callback + "applications/42/results"),
            format="json",
        ),
        method="PATCH",
        path="/applications/42/results",
        auth_header="",
        scored=lambda body: body["partner_status"] == "complete" and body["partner_score"] == 87,
    ),
    "ashby": Ats(
        send=lambda key, callback: basic_client(key).post(
            "/api/ashby/assessment.start", start_body(), format="json"
        ),
        method="POST",
        path="/assessment.update",
        auth_header="Basic [redacted]",
        scored=lambda body: body["assessment_result"]["value"] == 87,
    ),
    "workable": Ats(
        send=lambda key, callback: bearer_client(key).post(
            "/api/workable/assessments",
            {
                "test_id": "py-fastapi-review",
                "callback_url": callback + "spi/v3/assessments/991/result",
                "candidate": {"first_name": "Ada", "last_name": "Lovelace", "email": "a@x.test"},
            },
            format="json",
        ),
        method="PUT",
        path="/spi/v3/assessments/991/result",
        auth_header="Bearer [redacted]",
        scored=lambda body: body["status"] == "completed" and body["assessment"]["score"] == "87",
    ),
    "recruitee": Ats(
        send=lambda key, callback: bearer_client(key).post(
            "/api/recruitee/send_candidate",
            {
                "first_name": "Jon",
                "last_name": "Snow",
                "email": "jon@example.com",
                "candidate_id": 1,
                "company_id": 7,
                "report_id": REPORT_ID,
                "test_id": "py-fastapi-review",
            },
            format="json",
        ),
        method="PATCH",
        path=f"/api/p/mariohr-sandbox/reports/{REPORT_ID}",
        auth_header="",
        scored=lambda body: body["status"] == "completed" and body["score"].startswith("87"),
    ),
    "teamtailor": Ats(
        send=lambda key, callback: bearer_client(key).post(
            "/api/teamtailor/webhook",
            teamtailor_event(callback + "partner/v1/partner-results/res-1"),
            format="json",
        ),
        method="PUT",
        path="/partner/v1/partner-results/res-1",
        auth_header="Token [redacted]",
        scored=lambda body: (
            body["data"]["attributes"]["status"] == "completed"
            and body["data"]["attributes"]["assessment"]["score"] == 87
        ),
    ),
}


def greenhouse_body(url: str) -> dict:
    return {
        "partner_test_id": "py-fastapi-review",
        "candidate": {
            "first_name": "Harry",
            "last_name": "Potter",
            "email": "h@x.test",
            "greenhouse_profile_url": "https://app.greenhouse.io/people/1?application_id=2",
        },
        "url": url,
    }


@pytest.fixture
def sandbox(org):
    return sandbox_twin_create(organization=org)


def sandbox_interview(sandbox, ats_name: str) -> Interview:
    twin, callback = sandbox.sandbox.organization, receiver_url(sandbox.sandbox)
    answer = ATS[ats_name].send(sandbox.raw_key, callback)
    assert answer.status_code in (200, 201), answer.content
    return Interview.objects.get(organization=twin)


def deliver_in_order(interview: Interview) -> None:
    for delivery_id in (
        Delivery.objects.filter(interview=interview).order_by("pk").values_list("pk", flat=True)
    ):
        delivery_attempt(delivery_id=delivery_id)


def assert_received(sandbox, interview: Interview, ats_name: str) -> None:
    ats = ATS[ats_name]
    deliveries = list(Delivery.objects.filter(interview=interview).order_by("pk"))
    assert deliveries and {d.status for d in deliveries} == {Delivery.Status.SUCCEEDED}
    received = list(ReceivedCallback.objects.filter(sandbox=sandbox.sandbox).order_by("pk"))
    assert [c.webhook_id for c in received] == [d.webhook_id for d in deliveries]
    for callback in received:
        assert callback.signature_verified, callback.signature_problem
        assert (callback.method, callback.path) == (ats.method, ats.path)
        assert callback.answered_status == 200
        # The ATS's credentials went along, as to the vendor, and were stored redacted.
        if ats.auth_header:
            assert callback.headers["authorization"] == ats.auth_header
        if ats_name == "recruitee":
            assert callback.headers["rt-partner-secret"] == "[redacted]"
        stored = json.dumps(callback.headers) + json.dumps(callback.body)
        secret = twin_secret(ats_name, sandbox.sandbox.organization)
        assert secret.startswith("sandbox-") or ats_name == "greenhouse"
        assert not secret or secret not in stored
    assert ats.scored(received[-1].body), received[-1].body


@pytest.mark.parametrize("ats_name", ATS)
def test_the_sandbox_flow_for_every_ats(
    sandbox, ats_name, django_capture_on_commit_callbacks, settings
):
    settings.MARIOHR_DELIVERY_QUEUE = "nobody-consumes-this"
    interview = sandbox_interview(sandbox, ats_name)
    with django_capture_on_commit_callbacks(execute=False):
        candidate_completes(interview)
    deliver_in_order(interview)
    assert_received(sandbox, interview, ats_name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("ats_name", ["workable", "recruitee", "teamtailor"])
def test_the_sandbox_flow_through_a_real_worker(sandbox, ats_name, settings):
    from mariohr.celery import app

    settings.MARIOHR_DELIVERY_QUEUE = queue = f"sandbox-test-{uuid.uuid4().hex[:10]}"
    with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
        interview = sandbox_interview(sandbox, ats_name)
        candidate_completes(interview)
        wait_for(
            lambda: (
                ReceivedCallback.objects.filter(sandbox=sandbox.sandbox).exists()
                and not Delivery.objects.filter(interview=interview)
                .exclude(status=Delivery.Status.SUCCEEDED)
                .exists()
                and ATS[ats_name].scored(
                    ReceivedCallback.objects.filter(sandbox=sandbox.sandbox)
                    .order_by("pk")
                    .last()
                    .body
                )
            ),
            timeout=60,
            message=f"the {ats_name} updates in the sandbox receiver",
        )
    assert_received(sandbox, interview, ats_name)


@pytest.mark.parametrize("ats_name", ATS)
def test_a_sandbox_test_callback_carries_the_credentials_to_its_receiver(sandbox, ats_name):
    twin, callback = sandbox.sandbox.organization, receiver_url(sandbox.sandbox)
    url = callback + ATS[ats_name].path.lstrip("/")
    result = callback_send(organization=twin, ats_name=ats_name, url=url)
    assert result.sent and result.ok, result.meaning
    assert "without credentials" not in result.meaning
    captured = ReceivedCallback.objects.get(sandbox=sandbox.sandbox)
    assert captured.signature_verified and captured.headers["x-mariohr-test-callback"] == "true"


# --- what the sandbox exception does not open -----------------------------------------------


def test_a_production_workable_organization_cannot_send_results_to_a_receiver(
    sandbox, org, settings
):
    callback = receiver_url(sandbox.sandbox) + "spi/v3/assessments/1/result"
    workable_settings_update(organization=org, results_token="production-token")
    # Not even with the Workable domain set to the receiver's.
    WorkableSettings.objects.filter(organization=org).update(
        callback_domain="receiver.sandbox.mariohr.invalid"
    )
    answer = ATS["workable"].send(org.raw_key, receiver_url(sandbox.sandbox))
    assert answer.status_code == 400
    assert "only a sandbox organization's callbacks go there" in answer.content.decode()
    assert not Interview.objects.filter(organization=org).exists()
    result = callback_send(organization=org, ats_name="workable", url=callback)
    assert not result.sent and "sandbox receiver" in result.meaning
    assert not ReceivedCallback.objects.exists()


def test_a_production_recruitee_organization_cannot_point_its_secret_at_a_receiver(
    sandbox, org, settings
):
    base = receiver_url(sandbox.sandbox) + "api"
    # Not even with the receiver's host on the development allow-list.
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["receiver.sandbox.mariohr.invalid"]
    with pytest.raises(UnsafeURL, match="only a sandbox organization"):
        recruitee_settings_set(organization=org, api_base_url=base)
    # A row changed behind the service's back: the delivery refuses to send the secret.
    recruitee_settings_set(organization=org, codename="mariohr-prod", partner_secret="prod-secret")
    answer = bearer_client(org.raw_key).post(
        "/api/recruitee/send_candidate",
        {
            "first_name": "Jon",
            "last_name": "Snow",
            "email": "jon@example.com",
            "candidate_id": 1,
            "company_id": 7,
            "report_id": str(uuid.uuid4()),
            "test_id": "py-fastapi-review",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    RecruiteeSettings.objects.filter(organization=org).update(api_base_url=base)
    interview = Interview.objects.get(organization=org)
    candidate_completes(interview)
    (delivery,) = Delivery.objects.filter(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.credentials_problem and delivery.status != Delivery.Status.SUCCEEDED
    assert not ReceivedCallback.objects.exists()


def test_a_production_teamtailor_organization_cannot_send_its_key_to_a_receiver(sandbox, org):
    callback = receiver_url(sandbox.sandbox)
    # Not even with the receiver as its custom base URL.
    teamtailor_settings_set(
        organization=org, api_key="prod-key", region="custom", custom_base_url=callback
    )
    answer = ATS["teamtailor"].send(org.raw_key, callback)
    assert answer.status_code == 400
    assert "only a sandbox organization" in answer.content.decode()
    assert not Interview.objects.filter(organization=org).exists()


@pytest.mark.parametrize("ats_name", ATS)
def test_a_sandbox_cannot_use_another_sandboxs_receiver(sandbox, make_org, ats_name, settings):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"  # its HTTP door, on https
    other = sandbox_twin_create(organization=make_org("globex"))
    twin = sandbox.sandbox.organization
    for url in (receiver_url(other.sandbox), receiver_http_url(other.sandbox)):
        result = callback_send(
            organization=twin, ats_name=ats_name, url=url + ATS[ats_name].path.lstrip("/")
        )
        assert not result.sent and "not this sandbox's own receiver" in result.meaning
    assert not ReceivedCallback.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://receiver.sandbox.mariohr.invalid/{token}/cb",
        "https://RECEIVER.Sandbox.mariohr.invalid.:443/{token}/cb",
        "https://user@receiver.sandbox.mariohr.invalid/{token}/cb",
        "https://mariohr.example.com/sandbox/receiver/{token}/cb",
        "https://mariohr.example.com/%73andbox/receiver/{token}/cb",
        "https://mariohr.example.com//sandbox/./receiver/{token}/cb",
    ],
)
def test_every_spelling_of_the_receiver_is_refused_to_a_production_organization(
    sandbox, org, url, settings
):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    url = url.format(token=sandbox.sandbox.receiver_token)
    with pytest.raises(UnsafeURL, match="only a sandbox organization"):
        sandbox_receiver_allowed(url, organization=org)
    with pytest.raises(UnsafeURL, match="only a sandbox organization"):
        sandbox_receiver_allowed(url, organization=None)


def test_the_vendors_hosts_are_left_to_the_plug_ins(sandbox, org, settings):
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    twin = sandbox.sandbox.organization
    for url in ("https://acme.workable.com/cb", "https://mariohr.example.com/api/report/1"):
        assert sandbox_receiver_allowed(url, organization=org) is False
        assert sandbox_receiver_allowed(url, organization=twin) is False
    own = receiver_http_url(sandbox.sandbox) + "cb"
    assert sandbox_receiver_allowed(own, organization=twin) is True


def test_a_recruitee_sandbox_never_gets_the_deployments_partner_secret(sandbox, settings):
    settings.MARIOHR_RECRUITEE_PARTNER_SECRET = "deployment-secret"
    settings.MARIOHR_RECRUITEE_CODENAME = "mariohr-prod"
    twin, callback = sandbox.sandbox.organization, receiver_url(sandbox.sandbox)
    recruitee_settings_set(organization=twin, partner_secret="")  # its own secret, cleared
    answer = ATS["recruitee"].send(sandbox.raw_key, callback)
    assert answer.status_code == 201, answer.content
    interview = Interview.objects.get(organization=twin)
    candidate_completes(interview)
    (delivery,) = Delivery.objects.filter(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.credentials_problem and "No Recruitee partner secret" in delivery.last_error
    result = callback_send(
        organization=twin, ats_name="recruitee", url=callback + "api/p/x/reports/1"
    )
    assert not result.sent and "No Recruitee partner secret" in result.meaning
    assert not ReceivedCallback.objects.exists()

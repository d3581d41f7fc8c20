"""The whole sandbox flow a customer's developer runs before production: a sandbox twin,
send_test with the built-in receiver's URL, the candidate takes the test, a reviewer scores
it, and the receiver holds the signed results PATCH, delivered by a real Celery worker."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from assessments.models import Interview
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from integrations.greenhouse.credentials import outbound_credentials_set
from integrations.sandbox.callback_trial import test_callback_send as callback_send
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import HTTP_PATH, RECEIVER_ORIGIN, receiver_url
from integrations.sandbox.services import sandbox_twin_create
from tests.delivery_helpers import candidate_completes, wait_for


@pytest.fixture
def sandbox(org):
    return sandbox_twin_create(organization=org)


def send_test(client_for, created, send_body, path="applications/42/results"):
    callback_url = receiver_url(created.sandbox) + path
    answer = client_for(raw_key=created.raw_key).post(
        "/api/greenhouse/send_test", send_body(url=callback_url), format="json"
    )
    assert answer.status_code == 200, answer.content
    return Interview.objects.get(partner_interview_id=answer.json()["partner_interview_id"])


def assert_signed_patch_received(created, interview):
    captured = ReceivedCallback.objects.get(sandbox=created.sandbox)
    delivery = Delivery.objects.get(interview=interview)
    assert captured.method == "PATCH" and captured.path == "/applications/42/results"
    assert captured.signature_verified, captured.signature_problem
    assert captured.webhook_id == delivery.webhook_id and captured.in_process
    assert captured.body["partner_interview_id"] == interview.partner_interview_id
    assert captured.body["partner_status"] == "complete" and captured.body["partner_score"] == 87
    assert delivery.status == Delivery.Status.SUCCEEDED
    (attempt,) = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.status_code == 200 and '"success": true' in attempt.response_excerpt
    return captured


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sandbox_flow_through_a_real_worker(sandbox, client_for, send_body, settings):
    from mariohr.celery import app

    interview = send_test(client_for, sandbox, send_body)
    assert interview.organization == sandbox.sandbox.organization
    settings.MARIOHR_DELIVERY_QUEUE = queue = f"sandbox-test-{uuid.uuid4().hex[:10]}"
    with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
        candidate_completes(interview)
        wait_for(
            lambda: Delivery.objects.filter(
                interview=interview, status=Delivery.Status.SUCCEEDED
            ).exists(),
            timeout=60,
            message="the PATCH to the sandbox receiver",
        )
    assert_signed_patch_received(sandbox, interview)


def test_sandbox_flow_through_the_attempt_function(
    sandbox, client_for, send_body, django_capture_on_commit_callbacks, settings
):
    settings.MARIOHR_DELIVERY_QUEUE = "nobody-consumes-this"
    interview = send_test(client_for, sandbox, send_body)
    with django_capture_on_commit_callbacks(execute=False):
        candidate_completes(interview)
    delivery = Delivery.objects.get(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)
    assert_signed_patch_received(sandbox, interview)


@pytest.mark.parametrize("spelling", ["{origin}/{token}/cb", "{http}{token}/cb"])
def test_a_production_organizations_greenhouse_callback_cannot_be_the_receiver(
    sandbox, org, client_for, send_body, settings, spelling
):
    # Its Basic credentials would go along: refused at send_test, in the contract's body.
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    outbound_credentials_set(organization=org, username="prod-user", password="prod-pass")
    url = spelling.format(
        origin=RECEIVER_ORIGIN,
        http=f"{settings.MARIOHR_BASE_URL}{HTTP_PATH}",
        token=sandbox.sandbox.receiver_token,
    )
    answer = client_for(org).post("/api/greenhouse/send_test", send_body(url=url), format="json")
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] and "only a sandbox organization's callbacks" in body["message"]
    assert list(body["fields"]) == ["url"]
    assert body["fields"]["url"][0].startswith("Callback URL is MarioHR's sandbox receiver")
    assert not Interview.objects.filter(organization=org).exists()
    # The old documentation's nested candidate.url is the same callback: refused too.
    nested = send_body(url=None)
    nested["candidate"]["url"] = url
    answer = client_for(org).post("/api/greenhouse/send_test", nested, format="json")
    assert answer.status_code == 400 and list(answer.json()["fields"]) == ["url"]


def test_a_production_delivery_changed_to_the_receiver_is_not_sent(
    sandbox, org, client_for, send_body, django_capture_on_commit_callbacks
):
    outbound_credentials_set(organization=org, username="prod-user", password="prod-pass")
    answer = client_for(org).post("/api/greenhouse/send_test", send_body(), format="json")
    assert answer.status_code == 200, answer.content
    interview = Interview.objects.get(partner_interview_id=answer.json()["partner_interview_id"])
    with django_capture_on_commit_callbacks(execute=False):
        candidate_completes(interview)
    # Behind the admin's back: the row now points at a sandbox's receiver.
    Delivery.objects.filter(interview=interview).update(
        target_url=receiver_url(sandbox.sandbox) + "applications/42/results"
    )
    delivery = Delivery.objects.get(interview=interview)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status != Delivery.Status.SUCCEEDED and delivery.credentials_problem
    assert "only a sandbox organization's callbacks go there" in delivery.last_error
    assert attempt.status_code is None
    assert not ReceivedCallback.objects.exists()


def test_a_production_test_callback_to_the_receiver_is_not_sent(sandbox, org):
    # Not even without credentials: another sandbox's captures are not its to fill.
    for ats_name in ("greenhouse", "ashby"):
        result = callback_send(
            organization=org, ats_name=ats_name, url=receiver_url(sandbox.sandbox) + "cb"
        )
        assert not result.sent and "only a sandbox organization's" in result.meaning
    assert not ReceivedCallback.objects.exists()

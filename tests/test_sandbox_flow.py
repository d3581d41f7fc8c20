"""The whole sandbox flow a customer's developer runs before production: a sandbox twin,
send_test with the built-in receiver's URL, the candidate takes the test, a reviewer scores
it, and the receiver holds the signed results PATCH, delivered by a real Celery worker."""

import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from assessments.models import Interview
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import receiver_url
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


def test_another_organizations_callbacks_to_a_sandbox_receiver_show_as_unverified(
    sandbox, org, client_for, send_body, django_capture_on_commit_callbacks
):
    # The URL passes send-time checks for anyone, but the receiver verifies with the
    # sandbox's own secret: another organization's callbacks show as unverified.
    interview = send_test(client_for, sandbox, send_body)
    other = client_for(org).post(
        "/api/greenhouse/send_test",
        send_body(url=receiver_url(sandbox.sandbox) + "applications/42/results"),
        format="json",
    )
    assert other.status_code == 200
    other_interview = Interview.objects.get(
        partner_interview_id=other.json()["partner_interview_id"]
    )
    with django_capture_on_commit_callbacks(execute=False):
        candidate_completes(other_interview)
    delivery_attempt(delivery_id=Delivery.objects.get(interview=other_interview).pk)
    captured = ReceivedCallback.objects.get()
    assert not captured.signature_verified
    assert interview.status == Interview.Status.SENT

"""A results callback that is due waits (bounded) for the session recording to be processed."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from assessments import services as lifecycle
from assessments.recordings.models import Recording, RecordingPolicy
from assessments.recordings.processing import recording_process
from integrations.ashby.delivery import ashby_update_build
from integrations.ashby.services import ashby_credentials_set
from integrations.delivery.kinds import Postpone
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from tests import delivery_helpers as helpers
from tests.delivery_helpers import body_of, receiver_url
from tests.test_recording_processing import upload

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview


@pytest.fixture
def scored_with_recording(receiver, make_interview, catalog, local_media, speech_webm):
    """Scored while its recording is uploaded but not processed yet (the task has not run)."""
    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"], defaults={"mode": RecordingPolicy.Mode.REQUIRED}
    )
    interview = make_interview(receiver_url(receiver), status="in_progress")
    upload(interview, [speech_webm])
    interview = lifecycle.interview_submit(interview=interview)
    interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
    assert Recording.objects.get(interview=interview).status == Recording.Status.PENDING
    return interview, Delivery.objects.get(interview=interview)


def make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_results_patch_waits_for_processing_then_carries_the_recording(
    receiver, scored_with_recording
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview, delivery = scored_with_recording

    assert delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert receiver.log == []
    assert delivery.attempt_count == 0 and not DeliveryAttempt.objects.exists()
    assert delivery.status == Delivery.Status.PENDING
    assert "recording" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert delivery.leased_until is None

    recording_process(recording_pk=Recording.objects.get(interview=interview).pk)
    make_due(delivery)
    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    ((request, _),) = receiver.log
    url = body_of(request)["recording_url"]
    assert url.startswith(django_settings.MARIOHR_BASE_URL + "/recordings/file/")
    served = Client().get(url.removeprefix(django_settings.MARIOHR_BASE_URL))
    assert served.status_code == 200
    assert b"".join(served.streaming_content)[:4] == b"\x1a\x45\xdf\xa3"  # WebM (EBML)


def test_results_patch_goes_without_the_recording_once_the_wait_is_over(
    receiver, scored_with_recording, settings
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview, delivery = scored_with_recording
    settings.MARIOHR_RECORDING_WAIT_SECONDS = 0

    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    ((request, _),) = receiver.log
    body = body_of(request)
    assert body["partner_status"] == "complete"
    assert body["recording_url"] is None


def test_ashby_results_update_waits_but_status_updates_do_not(scored_with_recording):
    interview, _ = scored_with_recording
    ashby_credentials_set(organization=interview.organization, api_key="ashby-key")

    def build(status):
        return ashby_update_build(
            Delivery(
                organization=interview.organization,
                interview=interview,
                kind="ashby_update",
                event={"status": status, "timestamp": 1},
            )
        )

    with pytest.raises(Postpone):
        build("complete")
    assert build("submitted").json_body["assessment_id"] == interview.partner_interview_id
    recording_process(recording_pk=Recording.objects.get(interview=interview).pk)
    payload = build("complete").json_body
    assert payload["assessment_result"]["value"] == 82
    recording = [field for field in payload["metadata"] if field["identifier"] == "recording"]
    assert recording and recording[0]["type"] == "url"
    assert recording[0]["value"].startswith(django_settings.MARIOHR_BASE_URL + "/recordings/")

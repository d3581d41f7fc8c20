"""The score never waits for the video: the results go out at once (recording_url null while
the recording is processed) and a "recording_ready" follow-up carries the link later."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client

from assessments import services as lifecycle
from assessments.recordings.models import Recording, RecordingPolicy
from assessments.recordings.processing import recording_process
from assessments.recordings.signals import recording_processed
from assessments.reports import report_build
from integrations.ashby.delivery import ashby_update_build
from integrations.ashby.services import ashby_credentials_set
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.recording_ready import delivery_recording_ready, recording_ready_key
from integrations.delivery.services import delivery_attempt, delivery_replay
from integrations.greenhouse.delivery import results_patch_create
from tests import delivery_helpers as helpers
from tests.delivery_helpers import body_of, receiver_url
from tests.test_recording_processing import upload

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview


@pytest.fixture
def finished_with_recording(receiver, make_interview, catalog, local_media, speech_webm):
    """Submitted with its recording uploaded but not processed (no task has run)."""
    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"], defaults={"mode": RecordingPolicy.Mode.REQUIRED}
    )
    interview = make_interview(receiver_url(receiver), status="in_progress")
    upload(interview, [speech_webm])
    interview = lifecycle.interview_submit(interview=interview)
    assert Recording.objects.get(interview=interview).status == Recording.Status.PENDING
    return interview


def process(interview, capture) -> None:
    # The follow-up is decided on commit of the PROCESSED state.
    with capture(execute=True):
        recording_process(recording_pk=Recording.objects.get(interview=interview).pk)


def follow_ups(interview) -> list[Delivery]:
    return list(Delivery.objects.filter(interview=interview, event__trigger="recording_ready"))


def served_webm(url: str) -> bytes:
    served = Client().get(url.removeprefix(django_settings.MARIOHR_BASE_URL))
    assert served.status_code == 200
    return b"".join(served.streaming_content)


def test_results_go_at_once_and_a_follow_up_carries_the_recording(
    receiver, finished_with_recording, django_capture_on_commit_callbacks
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("82"))
    (results,) = Delivery.objects.filter(interview=interview)

    assert delivery_attempt(delivery_id=results.pk).outcome == DeliveryAttempt.Outcome.SUCCESS
    ((first, _),) = receiver.log
    assert body_of(first)["partner_score"] == 82
    assert body_of(first)["recording_url"] is None
    assert body_of(first)["report"]["recording"]["processing"] is True

    process(interview, django_capture_on_commit_callbacks)
    (follow_up,) = follow_ups(interview)
    assert follow_up.kind == "results_patch"
    assert follow_up.dedup_key == recording_ready_key(Recording.objects.get().pk)
    assert delivery_attempt(delivery_id=follow_up.pk).outcome == DeliveryAttempt.Outcome.SUCCESS

    second = body_of(receiver.log[1][0])
    assert second["partner_status"] == "complete" and second["partner_score"] == 82
    assert second["report"]["recording"]["processing"] is False
    assert second["metadata"]["Recording"] == second["recording_url"]
    assert served_webm(second["recording_url"])[:4] == b"\x1a\x45\xdf\xa3"  # WebM (EBML)


def test_processed_before_scoring_needs_no_follow_up(
    receiver, finished_with_recording, django_capture_on_commit_callbacks
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    process(finished_with_recording, django_capture_on_commit_callbacks)
    assert not Delivery.objects.exists()  # submitted, not scored: nothing went out yet

    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("70"))
    (results,) = Delivery.objects.filter(interview=interview)
    delivery_attempt(delivery_id=results.pk)

    ((request, _),) = receiver.log
    assert body_of(request)["recording_url"].startswith(django_settings.MARIOHR_BASE_URL)
    assert follow_ups(interview) == []


def test_the_follow_up_is_sent_once_however_often_processing_reports(
    finished_with_recording, django_capture_on_commit_callbacks
):
    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("82"))
    process(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    (original,) = follow_ups(interview)

    # A second worker finishing the same recording, and a direct second call.
    with django_capture_on_commit_callbacks(execute=True):
        recording_processed.send(sender=Recording, recording=recording)
    assert delivery_recording_ready(recording_pk=recording.pk) is None
    assert follow_ups(interview) == [original]


def test_a_racing_second_creation_is_refused_by_the_unique_key(finished_with_recording):
    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("82"))
    recording = Recording.objects.get()
    Recording.objects.filter(pk=recording.pk).update(
        status=Recording.Status.PROCESSED, file_name="recordings/x/session.webm"
    )
    key = recording_ready_key(recording.pk)
    # As if the other worker inserted its row between this one's check and its insert.
    results_patch_create(interview=interview, event={"trigger": "recording_ready"}, dedup_key=key)

    assert delivery_recording_ready(recording_pk=recording.pk) is None
    assert Delivery.objects.filter(dedup_key=key).count() == 1


def test_the_follow_up_is_its_own_delivery_in_the_admin(
    admin_client, finished_with_recording, django_capture_on_commit_callbacks
):
    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("82"))
    process(interview, django_capture_on_commit_callbacks)
    (follow_up,) = follow_ups(interview)

    (score_patch,) = Delivery.objects.filter(interview=interview, event__trigger="status_changed")
    listing = admin_client.get("/admin/delivery/delivery/").content.decode()
    detail = admin_client.get(f"/admin/delivery/delivery/{follow_up.pk}/change/")
    score_detail = admin_client.get(f"/admin/delivery/delivery/{score_patch.pk}/change/")

    # Two rows: the score PATCH and the follow-up, each a delivery of its own.
    assert follow_up.webhook_id in listing and score_patch.webhook_id in listing
    assert detail.status_code == 200 and "recording_ready" in detail.content.decode()
    assert "status_changed" in score_detail.content.decode()


def test_the_follow_up_can_be_replayed(
    receiver, finished_with_recording, django_capture_on_commit_callbacks
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview = lifecycle.interview_score(interview=finished_with_recording, score=Decimal("82"))
    process(interview, django_capture_on_commit_callbacks)
    (follow_up,) = follow_ups(interview)
    delivery_attempt(delivery_id=follow_up.pk)

    replay = delivery_replay(delivery=follow_up)

    assert replay.replay_of == follow_up and replay.dedup_key is None
    assert replay.event["trigger"] == "recording_ready"
    assert delivery_attempt(delivery_id=replay.pk).outcome == DeliveryAttempt.Outcome.SUCCESS
    assert body_of(receiver.log[-1][0])["recording_url"]


def test_a_failed_recording_sends_no_follow_up(
    receiver, make_interview, catalog, local_media, django_capture_on_commit_callbacks
):
    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"], defaults={"mode": RecordingPolicy.Mode.REQUIRED}
    )
    interview = make_interview(receiver_url(receiver), status="in_progress")
    upload(interview, [b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40])
    interview = lifecycle.interview_submit(interview=interview)
    interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
    process(interview, django_capture_on_commit_callbacks)
    assert Recording.objects.get().status == Recording.Status.FAILED
    assert follow_ups(interview) == []
    assert report_build(interview)["recording"]["processing"] is False


def test_ashby_completed_update_never_waits_and_a_follow_up_carries_the_link(
    finished_with_recording, django_capture_on_commit_callbacks
):
    interview = finished_with_recording
    type(interview).objects.filter(pk=interview.pk).update(source="ashby", callback_url="")
    interview.refresh_from_db()
    ashby_credentials_set(organization=interview.organization, api_key="ashby-key")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
    (completed,) = Delivery.objects.filter(interview=interview, kind="ashby_update")

    payload = ashby_update_build(completed).json_body
    assert payload["assessment_result"]["value"] == 82
    assert "recording" not in [field["identifier"] for field in payload["metadata"]]

    process(interview, django_capture_on_commit_callbacks)
    (follow_up,) = follow_ups(interview)
    assert follow_up.kind == "ashby_update" and follow_up.ordering_key == completed.ordering_key
    assert follow_up.event["status"] == "complete"
    assert follow_up.event["timestamp"] > completed.event["timestamp"]
    payload = ashby_update_build(follow_up).json_body
    assert payload["assessment_result"]["value"] == 82
    (link,) = [field for field in payload["metadata"] if field["identifier"] == "recording"]
    assert link["type"] == "url"
    assert served_webm(link["value"])[:4] == b"\x1a\x45\xdf\xa3"


def test_report_says_recording_processing_until_it_is_processed(
    finished_with_recording, django_capture_on_commit_callbacks
):
    interview = finished_with_recording
    page = Client().get(f"/reports/{interview.report_token}")
    assert page.status_code == 200
    assert b"Recording processing" in page.content
    as_json = Client().get(f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json")
    assert as_json.json()["recording"]["processing"] is True
    assert as_json.json()["recording"]["status"] == "pending"

    process(interview, django_capture_on_commit_callbacks)

    page = Client().get(f"/reports/{interview.report_token}")
    assert b"Recording processing" not in page.content
    assert b"<video" in page.content
    assert report_build(interview)["recording"]["processing"] is False


def test_report_of_a_session_still_recording_is_not_processing(
    receiver, make_interview, catalog, local_media, speech_webm
):
    RecordingPolicy.objects.update_or_create(
        test=catalog["py-fastapi-review"], defaults={"mode": RecordingPolicy.Mode.REQUIRED}
    )
    interview = make_interview(receiver_url(receiver), status="in_progress")
    upload(interview, [speech_webm])
    recording = report_build(interview)["recording"]
    assert recording["status"] == "receiving" and recording["processing"] is False


def test_recording_tasks_have_their_own_queue():
    from mariohr.celery import app

    def queue_of(task_name):
        return app.amqp.router.route({}, task_name)["queue"].name

    assert queue_of("assessments.recordings.tasks.process_recording") == "recordings"
    assert queue_of("assessments.recordings.tasks.sweep_recordings") == "recordings"
    assert queue_of("integrations.delivery.tasks.attempt_delivery") == "celery"
    assert queue_of("assessments.tasks.expire_interviews") == "celery"

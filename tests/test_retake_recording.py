"""A retake of a recorded test is recorded again: the first attempt's recording is archived
with that attempt (still playable from the report), the new attempt makes its own, and the
ATS only ever hears of the current attempt's recording."""

import hashlib
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Interview, InterviewAttempt
from assessments.recordings.models import Recording, RecordingChunk
from assessments.recordings.processing import recording_process, recording_reprocess
from assessments.recordings.services import recording_url_for
from assessments.recordings.signals import recording_processed
from integrations.ashby.payloads import assessment_update_payload, epoch_ms
from integrations.greenhouse.payloads import results_patch_payload
from tests.fixtures.recordings import CHUNK_URL, split_bytes, webm_make

S = Interview.Status
R = Recording.Status


@pytest.fixture
def second_webm(tmp_path) -> bytes:
    """Another session (silent, shorter): its bytes tell the two recordings apart."""
    return webm_make(tmp_path / "second.webm", seconds=3.0).read_bytes()


def upload(interview, data: bytes, parts: int = 2) -> None:
    client = Client()
    for seq, part in enumerate(split_bytes(data, parts)):
        url = CHUNK_URL.format(token=interview.candidate_token, seq=seq)
        response = client.post(url, data=part, content_type="video/webm")
        assert response.status_code == 201, response.content


def submitted(interview, capture) -> Interview:
    """Submit; with ``capture`` the recording is processed on commit (Celery eager)."""
    if capture is None:
        return lifecycle.interview_submit(interview=interview)
    with capture(execute=True):
        return lifecycle.interview_submit(interview=interview)


def served_sha256(url: str) -> str:
    response = Client().get(url.removeprefix(django_settings.MARIOHR_BASE_URL))
    assert response.status_code == 200
    return hashlib.sha256(b"".join(response.streaming_content)).hexdigest()


def report_of(interview) -> tuple[dict, str]:
    path = f"/reports/{interview.report_token}"
    body = Client().get(path, HTTP_ACCEPT="application/json").json()
    return body, Client().get(path).content.decode()


@pytest.fixture
def retaken_and_recorded_again(
    recording_interview,
    local_media,
    speech_webm,
    second_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    """Attempt 1 recorded, processed and retaken; attempt 2 recorded and processed."""
    interview = recording_interview()
    upload(interview, speech_webm)
    interview = submitted(interview, django_capture_on_commit_callbacks)
    first = Recording.objects.get(interview=interview)
    assert first.status == R.PROCESSED, first.failure_reason
    with django_capture_on_commit_callbacks(execute=True):
        retaken = changes.interview_retake(interview=interview, by=None, reason="Wifi", days=3)
    # Nothing of attempt 1's recording is the new attempt's.
    assert recording_url_for(retaken) is None
    retaken = lifecycle.interview_start(interview=retaken)
    upload(retaken, second_webm)
    retaken = submitted(retaken, django_capture_on_commit_callbacks)
    retaken = lifecycle.interview_score(interview=retaken, score=Decimal("70"))
    first.refresh_from_db()
    return retaken, first, Recording.objects.get(interview=retaken)


def test_attempt_1s_recording_is_archived_and_attempt_2_records_anew(retaken_and_recorded_again):
    interview, first, second = retaken_and_recorded_again

    attempt = InterviewAttempt.objects.get(interview=interview)
    assert (first.interview_id, first.archived_attempt_id) == (None, attempt.pk)
    assert attempt.recording == first and attempt.snapshot["recording"] is True
    assert first.status == R.PROCESSED
    assert second.status == R.PROCESSED, second.failure_reason
    assert second.pk != first.pk and second.storage_key != first.storage_key
    assert second.sha256 != first.sha256
    assert Recording.objects.count() == 2
    assert str(first).endswith("attempt 1 (processed)")
    assert interview.partner_interview_id in str(first)


def test_the_report_plays_each_attempts_own_recording(retaken_and_recorded_again):
    interview, first, second = retaken_and_recorded_again

    body, page = report_of(interview)

    assert body["attempt_number"] == 2
    assert served_sha256(body["recording"]["url"]) == second.sha256
    (earlier,) = body["attempts"]
    assert (earlier["number"], earlier["counts"]) == (1, False)
    assert earlier["recording"]["status"] == "processed"
    assert served_sha256(earlier["recording"]["url"]) == first.sha256
    assert "transcript_events" not in earlier["recording"]
    # The timeline is attempt 2's: the spoken words of attempt 1 stay in its own section.
    assert not [entry for entry in body["transcript"] if entry["event"] == "speech"]
    assert "Session recording of attempt 2 (counts)" in page
    assert "Session recording of attempt 1 (does not count)" in page
    section = page.split('id="attempt-1-recording"')[1].split("</section>")[0]
    assert earlier["recording"]["url"].replace("&", "&amp;") in section
    assert '<video class="recording-player" controls' in section
    assert "Download the recording of attempt 1" in section
    assert body["recording"]["url"].replace("&", "&amp;") not in section


def test_the_ats_payloads_carry_the_current_attempts_recording_only(
    retaken_and_recorded_again, api
):
    interview, first, second = retaken_and_recorded_again

    status = api.get(
        "/api/greenhouse/test_status", {"partner_interview_id": interview.partner_interview_id}
    )
    assert status.status_code == 200
    assert served_sha256(status.json()["metadata"]["Recording"]) == second.sha256
    patch = results_patch_payload(interview)
    assert served_sha256(patch["recording_url"]) == second.sha256
    ashby = assessment_update_payload(
        interview, {"status": S.COMPLETE, "timestamp": epoch_ms(interview.scored_at)}
    )
    (field,) = [f for f in ashby["metadata"] if f["identifier"] == "recording"]
    assert served_sha256(field["value"]) == second.sha256


@pytest.mark.parametrize("status", [R.RECEIVING, R.PENDING, R.PROCESSING])
def test_retake_is_refused_while_the_recording_is_unfinished(
    recording_interview, local_media, speech_webm, status
):
    interview = recording_interview()
    upload(interview, speech_webm)
    interview = submitted(interview, None)  # no on-commit: nothing processed it
    Recording.objects.filter(interview=interview).update(status=status)
    message = "recording of attempt 1 is still being processed; try again in a few minutes"

    with pytest.raises(changes.ChangeRefused, match=message):
        changes.interview_retake(interview=interview, by=None, reason="r", days=3)
    with pytest.raises(CommandError, match=message):
        call_command("interview_retake", interview.partner_interview_id, "--reason", "r")

    staff = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client()
    client.force_login(staff)
    page = client.post(
        "/admin/assessments/interview/",
        {
            "action": "retake_interviews",
            admin.helpers.ACTION_CHECKBOX_NAME: [interview.pk],
            "confirm": "yes",
            "reason": "r",
            "days": "3",
        },
        follow=True,
    )
    assert page.status_code == 200 and page.redirect_chain
    assert message in page.content.decode()

    interview.refresh_from_db()
    assert (interview.status, interview.attempt_number) == (S.SUBMITTED, 1)
    assert not InterviewAttempt.objects.exists()
    assert Recording.objects.get().interview_id == interview.pk


def test_retake_waits_for_processing_then_goes_ahead(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = submitted(_recorded(recording_interview, speech_webm), None)
    with pytest.raises(changes.ChangeRefused, match="still being processed"):
        changes.interview_retake(interview=interview, by=None, reason="r", days=3)

    recording_process(recording_pk=Recording.objects.get().pk)
    retaken = changes.interview_retake(interview=interview, by=None, reason="r", days=3)

    assert retaken.attempt_number == 2
    assert Recording.objects.get().archived_attempt.number == 1


def _recorded(recording_interview, data) -> Interview:
    interview = recording_interview()
    upload(interview, data)
    return interview


def test_an_archived_failed_recording_processed_again_is_not_sent_to_the_ats(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    heard = []

    def listener(sender, recording, **kwargs):
        heard.append(recording.pk)

    recording_processed.connect(listener, dispatch_uid="test-retake-recording")
    try:
        interview = recording_interview()
        parts = split_bytes(speech_webm, 2)
        upload(interview, speech_webm)
        stored = local_media / RecordingChunk.objects.get(seq=0).file_name
        stored.write_bytes(parts[0][:-1] + bytes([parts[0][-1] ^ 1]))
        interview = submitted(interview, django_capture_on_commit_callbacks)
        recording = Recording.objects.get()
        assert recording.status == R.FAILED  # finished: a retake may go ahead
        retaken = changes.interview_retake(interview=interview, by=None, reason="r", days=3)

        stored.write_bytes(parts[0])  # restored from a backup
        with django_capture_on_commit_callbacks(execute=True):
            assert recording_reprocess(recording=recording)
        recording.refresh_from_db()
    finally:
        recording_processed.disconnect(dispatch_uid="test-retake-recording")

    assert recording.status == R.PROCESSED
    assert recording.interview_id is None and recording.archived_attempt.number == 1
    assert heard == []
    assert recording_url_for(retaken) is None
    body, _ = report_of(retaken)
    assert body["recording"] is None
    assert served_sha256(body["attempts"][0]["recording"]["url"]) == recording.sha256


def test_the_recordings_admin_lists_archived_recordings(retaken_and_recorded_again, admin_client):
    interview, first, second = retaken_and_recorded_again

    listing = admin_client.get("/admin/recordings/recording/")
    searched = admin_client.get(
        "/admin/recordings/recording/", {"q": interview.partner_interview_id}
    )
    change = admin_client.get(f"/admin/recordings/recording/{first.pk}/change/")

    assert listing.status_code == searched.status_code == change.status_code == 200
    assert "attempt 1, archived by a retake" in listing.content.decode()
    assert searched.context["cl"].result_count == 2
    assert '<video controls preload="metadata"' in change.content.decode()


@pytest.mark.slow
def test_on_s3_the_archived_recording_stays_playable(
    moto_s3,
    recording_interview,
    speech_webm,
    second_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    import requests

    interview = submitted(_recorded(recording_interview, speech_webm), None)
    recording_process(recording_pk=Recording.objects.get().pk)
    first = Recording.objects.get()
    retaken = changes.interview_retake(interview=interview, by=None, reason="r", days=3)
    retaken = lifecycle.interview_start(interview=retaken)
    upload(retaken, second_webm)
    retaken = submitted(retaken, django_capture_on_commit_callbacks)

    body, _ = report_of(retaken)
    urls = [body["attempts"][0]["recording"]["url"], body["recording"]["url"]]
    second = Recording.objects.get(interview=retaken)
    for url, recording in zip(urls, [first, second], strict=True):
        assert "X-Amz-Signature=" in url
        response = requests.get(url, timeout=10)
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == recording.sha256


@pytest.mark.django_db(transaction=True)
def test_migration_moves_a_retaken_attempts_recording_to_that_attempt(recording_interview):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    interview = recording_interview()
    before = [("recordings", "0005_chunk_segment_required")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    # Before: a retake left attempt 1's recording on the interview.
    recording = old.get_model("recordings", "Recording").objects.create(
        interview_id=interview.pk, storage_key="old-key", status="processed"
    )
    attempt = InterviewAttempt.objects.create(
        interview=interview,
        number=1,
        status=S.SUBMITTED,
        snapshot={"recording": True},
        archived_at=timezone.now(),
    )
    Interview.objects.filter(pk=interview.pk).update(attempt_number=2)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = Recording.objects.get(pk=recording.pk)
    assert (moved.interview_id, moved.archived_attempt_id) == (None, attempt.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(before)  # and back: the interview's one recording again
    back = executor.loader.project_state(before).apps.get_model("recordings", "Recording")
    assert back.objects.get(pk=recording.pk).interview_id == interview.pk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

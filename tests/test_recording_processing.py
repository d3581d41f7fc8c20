"""Processing after submit/expiry: assemble, remux (duration declared), check, transcribe."""

import hashlib
import time

import av
import pytest
from django.test import Client

from assessments.recordings import links
from assessments.recordings.models import Recording, RecordingChunk
from assessments.recordings.processing import recording_process, recordings_sweep
from assessments.recordings.services import (
    recording_for_report,
    recording_url_for,
)
from assessments.recordings.transcribe import Utterance
from assessments.services import interview_expire, interview_submit
from tests.fixtures.recordings import CHUNK_URL, SPOKEN_WORDS, split_bytes


def upload(interview, parts, seqs=None):
    client = Client()
    for seq, part in zip(seqs or range(len(parts)), parts, strict=True):
        url = CHUNK_URL.format(token=interview.candidate_token, seq=seq)
        response = client.post(url, data=part, content_type="video/webm")
        assert response.status_code == 201, response.content


def submit(interview, capture, finish=interview_submit):
    with capture(execute=True):
        return finish(interview=interview)


def test_submit_processes_recording_into_seekable_webm_with_transcript(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    upload(interview, split_bytes(speech_webm, 5))
    submit(interview, django_capture_on_commit_callbacks)

    recording = Recording.objects.get(interview=interview)
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert abs(recording.duration_seconds - 5.0) < 1.0
    stored = (local_media / recording.file_name).read_bytes()
    assert recording.size_bytes == len(stored)
    assert recording.sha256 == hashlib.sha256(stored).hexdigest()
    with av.open(str(local_media / recording.file_name)) as container:
        assert container.duration and abs(container.duration / av.time_base - 5.0) < 1.0
        assert container.streams.video and container.streams.audio
    spoken = {word for u in recording.transcript for word in u["text"].split()}
    assert spoken & SPOKEN_WORDS, recording.transcript
    first = recording.transcript[0]
    assert 0.5 <= first["start"] < first["end"] <= 5.0
    assert recording.transcript_engine == "pocketsphinx_transcribe"
    assert not RecordingChunk.objects.exists()
    assert not list((local_media / "recordings").rglob("chunks/*.webm"))


def test_expiry_also_processes_what_was_uploaded(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    upload(interview, split_bytes(speech_webm, 2))
    submit(interview, django_capture_on_commit_callbacks, finish=interview_expire)
    assert Recording.objects.get().status == Recording.Status.PROCESSED


def test_tab_closed_mid_session_keeps_and_processes_what_arrived(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    # The tab died while chunk 3 of 8 was being written: chunks 0-2 arrived, the last cut
    # off mid-cluster. The session is then expired by the sweep.
    interview = recording_interview()
    parts = split_bytes(speech_webm, 8)
    upload(interview, [parts[0], parts[1], parts[2][: len(parts[2]) // 2]])
    submit(interview, django_capture_on_commit_callbacks, finish=interview_expire)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert 0.5 < recording.duration_seconds < 4.0
    assert recording_url_for(interview)


def test_missing_middle_chunk_is_noted_and_the_rest_processed(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    parts = split_bytes(speech_webm, 6)
    upload(interview, [parts[0], parts[1], parts[2], parts[4], parts[5]], seqs=[0, 1, 2, 4, 5])
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == [3]
    assert recording.duration_seconds > 2.0


def test_chunk_changed_in_storage_is_left_out_noted_and_the_rest_processed(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    parts = split_bytes(speech_webm, 6)
    upload(interview, parts)
    stored = local_media / RecordingChunk.objects.get(seq=3).file_name
    stored.write_bytes(bytes(len(parts[3])))  # same size, other bytes: only the hash tells
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.PROCESSED, recording.failure_reason
    assert recording.missing_chunks == [3]
    assert "Chunk(s) 3 " in recording.failure_reason
    assert "checksum" in recording.failure_reason
    assert recording.duration_seconds > 2.0
    with av.open(str(local_media / recording.file_name)) as container:
        assert container.streams.video and container.streams.audio


def test_first_chunk_changed_in_storage_fails_and_a_later_good_run_clears_the_reason(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    from assessments.recordings.processing import recording_reprocess

    interview = recording_interview()
    parts = split_bytes(speech_webm, 3)
    upload(interview, parts)
    stored = local_media / RecordingChunk.objects.get(seq=0).file_name
    stored.write_bytes(parts[0][:-1] + bytes([parts[0][-1] ^ 1]))
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.FAILED
    assert "first chunk" in recording.failure_reason
    assert "checksum" in recording.failure_reason
    assert recording.chunks.count() == 3  # kept for "process again"

    stored.write_bytes(parts[0])  # e.g. restored from a backup
    assert recording_reprocess(recording=recording)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PROCESSED
    assert recording.missing_chunks == []
    assert recording.failure_reason == ""


def test_corrupt_upload_is_failed_with_reason_and_does_not_hold_results(
    recording_interview, local_media, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    upload(interview, [b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 40])
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.FAILED
    assert recording.failure_reason
    assert recording.chunks.count() == 1  # kept as evidence and for "process again"
    interview.refresh_from_db()
    assert recording_url_for(interview) is None
    report = recording_for_report(interview)
    assert report["status"] == "failed"
    assert report["url"] is None
    assert report["failure_reason"] == recording.failure_reason


def test_declined_consent_without_chunks_fails_as_empty(
    recording_interview, local_media, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    response = Client().post(
        f"/recordings/{interview.candidate_token}/consent",
        data=b'{"consent": "unavailable", "detail": "NotFoundError: no camera"}',
        content_type="application/json",
    )
    assert response.status_code == 200
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.status == Recording.Status.FAILED
    assert "No video was uploaded" in recording.failure_reason
    assert "no camera" in recording.failure_reason


def test_interview_without_recording_has_none(recording_interview, local_media):
    interview = recording_interview()
    interview = interview_submit(interview=interview)
    assert recording_for_report(interview) is None
    assert recording_url_for(interview) is None


def test_processing_twice_is_a_no_op(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    upload(interview, [speech_webm])
    submit(interview, django_capture_on_commit_callbacks)
    before = Recording.objects.get()
    recording_process(recording_pk=before.pk)
    after = Recording.objects.get()
    assert after.status == Recording.Status.PROCESSED
    assert (after.file_name, after.sha256, after.processing_attempts) == (
        before.file_name,
        before.sha256,
        1,
    )


def test_transient_storage_error_is_retried(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, monkeypatch
):
    interview = recording_interview()
    upload(interview, [speech_webm])
    with django_capture_on_commit_callbacks(execute=False):
        interview_submit(interview=interview)
    recording = Recording.objects.get()
    from django.core.files.storage import FileSystemStorage

    real_open = FileSystemStorage.open
    failures = []

    def open_failing_once(self, name, mode="rb"):
        if not failures:
            failures.append(name)
            raise OSError("disk gone")
        return real_open(self, name, mode)

    monkeypatch.setattr(FileSystemStorage, "open", open_failing_once)
    with pytest.raises(OSError):
        recording_process(recording_pk=recording.pk)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PENDING
    assert "disk gone" in recording.last_error
    assert recording.chunks.count() == 1
    recording_process(recording_pk=recording.pk)
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PROCESSED
    assert recording.processing_attempts == 2


def test_sweep_requeues_recording_stuck_in_processing(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    from datetime import timedelta

    from django.utils import timezone

    interview = recording_interview()
    upload(interview, [speech_webm])
    with django_capture_on_commit_callbacks(execute=False):
        interview_submit(interview=interview)
    Recording.objects.update(
        status=Recording.Status.PROCESSING,
        processing_started_at=timezone.now() - timedelta(hours=1),
    )
    assert recordings_sweep() == 1
    assert Recording.objects.get().status == Recording.Status.PROCESSED


def test_transcriber_is_pluggable(
    recording_interview,
    local_media,
    speech_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
    settings,
):
    settings.MARIOHR_RECORDING_TRANSCRIBER = (
        "tests.test_recording_processing.byte_count_transcriber"
    )
    interview = recording_interview()
    upload(interview, [speech_webm])
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    assert recording.transcript_engine == "byte_count_transcriber"
    # 16 kHz mono 16-bit: five seconds of audio is about 160,000 bytes.
    assert abs(int(recording.transcript[0]["text"]) - 160_000) < 16_000


def byte_count_transcriber(pcm_path, sample_rate):
    return [Utterance(start=0.0, end=1.0, text=str(pcm_path.stat().st_size))]


def test_local_signed_link_serves_exact_bytes_ranges_and_expires(
    recording_interview,
    local_media,
    speech_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
    monkeypatch,
):
    interview = recording_interview()
    upload(interview, [speech_webm])
    submit(interview, django_capture_on_commit_callbacks)
    recording = Recording.objects.get()
    url = recording_url_for(interview)
    assert url.startswith("http://127.0.0.1:8000/recordings/file/")
    assert recording.storage_key not in url  # signed, not readable
    path = url.removeprefix("http://127.0.0.1:8000")
    client = Client()
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/webm"
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == recording.sha256
    ranged = client.get(path, HTTP_RANGE="bytes=10-19")
    assert ranged.status_code == 206
    assert ranged.content == body[10:20]
    assert ranged["Content-Range"] == f"bytes 10-19/{len(body)}"

    assert client.get(path[:-3] + "xyz").status_code == 403
    real_time = time.time
    monkeypatch.setattr(links.time, "time", lambda: real_time() - 8 * 24 * 3600)
    stale = recording_url_for(interview).removeprefix("http://127.0.0.1:8000")
    monkeypatch.setattr(links.time, "time", real_time)
    expired = client.get(stale)
    assert expired.status_code == 410


def test_report_carries_status_duration_url_and_timestamped_transcript(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    interview = recording_interview()
    upload(interview, [speech_webm])
    submit(interview, django_capture_on_commit_callbacks)
    report = recording_for_report(interview)
    assert report["status"] == "processed"
    assert abs(report["duration_seconds"] - 5.0) < 1.0
    assert report["url"].startswith("http://127.0.0.1:8000/recordings/file/")
    assert report["transcript"] and {"start", "end", "text"} <= set(report["transcript"][0])
    from django.template.loader import render_to_string

    html = render_to_string("recordings/_player.html", {"recording": report})
    assert '<video class="recording-player" controls' in html
    assert report["url"].replace("&", "&amp;") in html
    assert report["transcript"][0]["text"] in html


def test_report_page_json_merges_speech_into_the_timeline(
    recording_interview, local_media, speech_webm, django_capture_on_commit_callbacks, celery_eager
):
    from assessments.reports import report_build

    interview = recording_interview()
    Client().post(
        f"/recordings/{interview.candidate_token}/consent",
        data=b'{"consent": "given"}',
        content_type="application/json",
    )
    upload(interview, [speech_webm])
    interview = submit(interview, django_capture_on_commit_callbacks)
    report = report_build(interview)
    assert report["recording"]["status"] == "processed"
    assert "transcript_events" not in report["recording"]
    speech = [entry for entry in report["transcript"] if entry["event"] == "speech"]
    assert speech and speech[0]["at"].endswith("Z")
    assert any(word in speech[0]["label"] for word in SPOKEN_WORDS)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_processes_the_recording_after_submit(
    recording_interview, speech_webm, settings, tmp_path, monkeypatch
):
    """`celery -A mariohr worker` in its own process, on the test database and a private
    filesystem broker, picks up the task enqueued on commit of the submit."""
    import certifi

    from mariohr.celery import app
    from tests.delivery_helpers import wait_for, worker_process

    var = tmp_path / "var"
    queue, processed = var / "broker" / "queue", var / "broker" / "processed"
    control = var / "broker" / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": var / "media"},
        },
    }
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app._pool, app.amqp._producer_pool = None, None
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        # Or kombu writes ./control/ in the directory the tests run from.
        "control_folder": str(control),
        "store_processed": False,
    }
    try:
        interview = recording_interview()
        upload(interview, split_bytes(speech_webm, 3))
        with worker_process(
            queue="recordings",
            broker_url="filesystem://",
            ca_file=certifi.where(),
            log_path=tmp_path / "worker.log",
            MARIOHR_VAR_DIR=str(var),
        ):
            interview_submit(interview=interview)

            def processed_or_failed():
                return Recording.objects.filter(
                    status__in=[Recording.Status.PROCESSED, Recording.Status.FAILED]
                ).first()

            recording = wait_for(
                processed_or_failed, timeout=90, interval=0.5, message="the worker"
            )
            if recording.status == Recording.Status.PROCESSED:
                # Chunks go after the PROCESSED state is stored: let the worker finish.
                wait_for(
                    lambda: not RecordingChunk.objects.exists(),
                    timeout=30,
                    interval=0.2,
                    message="the chunks' deletion",
                )
    finally:
        app._pool, app.amqp._producer_pool = None, None
        app.conf.broker_url, app.conf.broker_transport_options = saved
    assert recording.status == Recording.Status.PROCESSED, (tmp_path / "worker.log").read_text()
    assert abs(recording.duration_seconds - 5.0) < 1.0
    assert (var / "media" / recording.file_name).stat().st_size == recording.size_bytes
    assert not RecordingChunk.objects.exists()


def test_sweep_processes_a_recording_whose_close_was_missed(
    recording_interview, local_media, speech_webm, celery_eager
):
    interview = recording_interview()
    upload(interview, [speech_webm])
    # As if the status changed without the receiver (e.g. a bulk update by hand).
    type(interview).objects.filter(pk=interview.pk).update(
        status="submitted", submitted_at=interview.started_at
    )
    interview.refresh_from_db()
    assert Recording.objects.get().status == Recording.Status.RECEIVING
    assert recordings_sweep() == 1
    assert Recording.objects.get().status == Recording.Status.PROCESSED
    assert recordings_sweep() == 0


def test_test_status_metadata_links_the_processed_recording(
    recording_interview,
    local_media,
    speech_webm,
    django_capture_on_commit_callbacks,
    celery_eager,
    api,
):
    interview = recording_interview()
    upload(interview, [speech_webm])

    def metadata():
        response = api.get(
            "/api/greenhouse/test_status",
            {"partner_interview_id": interview.partner_interview_id},
        )
        assert response.status_code == 200
        return response.json()["metadata"]

    assert "Recording" not in metadata()
    submit(interview, django_capture_on_commit_callbacks)
    link = metadata()["Recording"]
    assert link.startswith("http://127.0.0.1:8000/recordings/file/")
    assert Client().get(link.removeprefix("http://127.0.0.1:8000")).status_code == 200

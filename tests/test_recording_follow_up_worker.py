"""End to end with real worker processes: a quiz with a required recording is submitted over
HTTP; the score reaches the ATS through the deliveries worker (default queue) while the
recording waits for, or is held up in, the recordings worker; the link follows."""

import os
import uuid
from contextlib import contextmanager

import pytest
from django.test import Client

from assessments.models import Interview
from assessments.recordings.models import Recording, RecordingPolicy
from assessments.services import CandidateData, interview_send, interview_submit
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.ashby.tests.test_ashby_updates import START, ashby, fake_ashby  # noqa: F401  (fixtures)
from integrations.delivery.models import Delivery
from mariohr.celery import app
from tests import delivery_helpers as helpers
from tests.delivery_helpers import (
    TEST_REDIS_URL,
    body_of,
    celery_broker,
    receiver_url,
    wait_for,
    worker_process,
)
from tests.fixtures.recordings import split_bytes
from tests.test_recording_processing import upload

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org = helpers.outbound_org

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

QUIZ = "python-fundamentals-quiz"
# Quiz: submit to the results reaching the receiver, worker start-up included.
SCORE_DEADLINE_SECONDS = 30


@pytest.fixture
def workers(tmp_path, settings, monkeypatch, ca_file):
    """Starts ``celery -A mariohr worker`` processes sharing this test's database, media and
    broker: Redis when this run uses it (CELERY_BROKER_URL=redis://…), else a private
    filesystem broker."""
    var = tmp_path / "var"
    (var / "media").mkdir(parents=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": var / "media"},
        },
    }
    with _broker(var, monkeypatch) as broker_url:

        @contextmanager
        def start(queue: str, name: str, **env):
            log_path = tmp_path / f"{name}.log"
            with worker_process(
                queue=queue,
                broker_url=broker_url,
                ca_file=ca_file,
                log_path=log_path,
                MARIOHR_VAR_DIR=str(var),
                # The var dir would otherwise give the workers their own development key.
                SECRET_KEY=settings.SECRET_KEY,
                # Deliveries go to the default queue, whichever worker creates them.
                MARIOHR_DELIVERY_QUEUE="",
                **env,
            ) as process:
                process.log_path = log_path
                yield process

        yield start


@contextmanager
def _broker(var, monkeypatch):
    if os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        with celery_broker(TEST_REDIS_URL):
            yield TEST_REDIS_URL
        return
    folders = {name: var / "broker" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://")
    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    app._pool, app.amqp._producer_pool = None, None
    app.conf.broker_url = "filesystem://"
    app.conf.broker_transport_options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
        "store_processed": False,
    }
    try:
        yield "filesystem://"
    finally:
        app._pool, app.amqp._producer_pool = None, None
        app.conf.broker_url, app.conf.broker_transport_options = saved


@pytest.fixture
def quiz_recorded(catalog):
    RecordingPolicy.objects.update_or_create(
        test=catalog[QUIZ], defaults={"mode": RecordingPolicy.Mode.REQUIRED}
    )
    return catalog[QUIZ]


def take_quiz(interview: Interview, speech_webm: bytes) -> None:
    """The candidate's HTTP requests: start with consent, record, submit (scored at once)."""
    candidate = Client()
    token = interview.candidate_token
    started = candidate.post(f"/t/{token}/start", {"recording_consent": "given"})
    assert started.status_code in (200, 302), started.content
    upload(interview, split_bytes(speech_webm, 3))
    submitted = candidate.post(f"/t/{token}/submit", {})
    assert submitted.status_code in (200, 302), submitted.content
    interview.refresh_from_db()
    assert interview.status == Interview.Status.COMPLETE


def recording_status(interview: Interview) -> str:
    return Recording.objects.get(interview=interview).status


def test_score_patch_goes_before_any_recording_worker_runs_then_the_link_follows(
    receiver, outbound_org, quiz_recorded, workers, speech_webm
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    interview, _ = interview_send(
        organization=outbound_org,
        test=quiz_recorded,
        candidate=CandidateData(first_name="Ada", last_name="Lovelace", email="ada@x.org"),
        source="greenhouse",
        callback_url=receiver_url(receiver, host="localhost"),
    )

    with workers("celery", "deliveries") as deliveries:
        take_quiz(interview, speech_webm)
        wait_for(
            lambda: len(receiver.log) >= 1,
            timeout=SCORE_DEADLINE_SECONDS,
            message=f"the score PATCH (see {deliveries.log_path})",
        )
        # No worker consumes the recordings queue yet: the score did not wait for it.
        assert recording_status(interview) == Recording.Status.PENDING
        first = body_of(receiver.log[0][0])
        assert first["partner_status"] == "complete"
        assert first["partner_score"] is not None
        assert first["recording_url"] is None
        assert first["report"]["recording"]["processing"] is True

        with workers("recordings", "recorder") as recorder:
            wait_for(
                lambda: len(receiver.log) >= 2,
                timeout=120,
                interval=0.5,
                message=f"the recording PATCH (see {recorder.log_path})",
            )

    assert recording_status(interview) == Recording.Status.PROCESSED
    assert len(receiver.log) == 2
    second = body_of(receiver.log[1][0])
    assert second["partner_score"] == first["partner_score"]
    assert "/recordings/file/" in second["recording_url"]
    assert second["report"]["recording"]["processing"] is False
    deliveries = Delivery.objects.filter(interview=interview).order_by("pk")
    assert [d.event.get("trigger") for d in deliveries] == ["status_changed", "recording_ready"]
    assert {d.status for d in deliveries} == {Delivery.Status.SUCCEEDED}


def test_ashby_completed_update_is_not_held_by_a_long_recording_task(
    fake_ashby,  # noqa: F811
    ashby,  # noqa: F811
    quiz_recorded,
    recording_interview,
    workers,
    speech_webm,
    tmp_path,
):
    gate = tmp_path / f"transcription-done-{uuid.uuid4().hex[:8]}"
    # Another session's recording, already on its way to the recordings worker.
    earlier = recording_interview()
    upload(earlier, [speech_webm])
    interview_submit(interview=earlier)
    response = ashby.post(START, start_body(assessment_type_id=QUIZ), format="json")
    assert response.status_code == 200, response.content
    interview = Interview.objects.get(
        partner_interview_id=response.json()["results"]["assessment_id"]
    )

    with (
        workers("celery", "deliveries") as deliveries,
        workers(
            "recordings",
            "recorder",
            MARIOHR_RECORDING_TRANSCRIBER="tests.gated_transcriber.gated_transcribe",
            MARIOHR_TEST_TRANSCRIBE_GATE=str(gate),
        ) as recorder,
    ):
        # The recordings worker is busy: the earlier recording's transcription is held.
        wait_for(
            lambda: recording_status(earlier) == Recording.Status.PROCESSING,
            timeout=60,
            message=f"the recorder to start (see {recorder.log_path})",
        )
        take_quiz(interview, speech_webm)
        wait_for(
            lambda: "Completed" in fake_ashby.statuses(interview.partner_interview_id),
            timeout=SCORE_DEADLINE_SECONDS,
            message=f"the Completed update (see {deliveries.log_path})",
        )
        assert recording_status(earlier) == Recording.Status.PROCESSING
        assert recording_status(interview) == Recording.Status.PENDING  # queued behind it
        completed = fake_ashby.accepted[-1]
        assert completed["assessment_result"]["value"] is not None
        assert "recording" not in [field["identifier"] for field in completed["metadata"]]

        gate.touch()
        wait_for(
            lambda: len(fake_ashby.statuses(interview.partner_interview_id)) >= 3,
            timeout=120,
            interval=0.5,
            message=f"the recording update (see {recorder.log_path})",
        )

    assert fake_ashby.rejected == []
    # Started, the score without the link, then the link.
    assert fake_ashby.statuses(interview.partner_interview_id) == [
        "Started",
        "Completed",
        "Completed",
    ]
    follow_up = fake_ashby.accepted[-1]
    assert follow_up["assessment_status"]["value"] == "Completed"
    assert follow_up["assessment_result"] == completed["assessment_result"]
    (link,) = [field for field in follow_up["metadata"] if field["identifier"] == "recording"]
    assert link["type"] == "url" and "/recordings/" in link["value"]
    assert follow_up["timestamp"] > completed["timestamp"]
    assert recording_status(interview) == Recording.Status.PROCESSED
    assert recording_status(earlier) == Recording.Status.PROCESSED

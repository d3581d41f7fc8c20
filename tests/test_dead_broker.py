# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""A broker that is down after the work committed: the request that did the work still
succeeds, and what was to be queued is done another way (inline, or by a sweeper)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording
from assessments.recordings.processing import recordings_sweep
from tests.candidate_factories import sent_interview  # noqa: F401
from tests.delivery_helpers import celery_broker

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there
SEND = "/api/greenhouse/send_test"


@pytest.fixture
def queued(celery_eager):
    """Tasks go to the broker (not run inline), as in production."""
    celery_eager.conf.task_always_eager = False
    return celery_eager


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.mark.django_db
def test_send_test_answers_and_the_invitation_goes_out_inline(
    api, send_body, django_capture_on_commit_callbacks, queued, caplog
):
    with celery_broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = api.post(SEND, send_body(), format="json")

    assert response.status_code == 200, response.content
    interview = Interview.objects.get(partner_interview_id=response.json()["partner_interview_id"])
    [email] = mail.outbox
    assert email.to == ["hpotter@hogwarts.edu"]
    assert f"/t/{interview.candidate_token}" in email.body
    assert "send_invitation_email" in caplog.text and "broker unavailable" in caplog.text


@pytest.mark.django_db
def test_a_failing_inline_invitation_is_logged_and_the_interview_stands(
    api, send_body, django_capture_on_commit_callbacks, queued, settings, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    with celery_broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        response = api.post(SEND, send_body(), format="json")

    assert response.status_code == 200, response.content
    assert Interview.objects.filter(
        partner_interview_id=response.json()["partner_interview_id"]
    ).exists()
    assert "Invitation email for interview" in caplog.text


@pytest.mark.django_db
def test_submitting_with_a_recording_succeeds_and_the_sweeper_queues_it_later(
    sent_interview, django_capture_on_commit_callbacks, queued
):
    interview = lifecycle.interview_start(interview=sent_interview())
    recording = Recording.objects.create(interview=interview, status=Recording.Status.RECEIVING)

    with celery_broker(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True):
        interview = lifecycle.interview_submit(interview=interview)

    assert interview.status == Interview.Status.SUBMITTED
    recording.refresh_from_db()
    assert recording.status == Recording.Status.PENDING

    # Later, with the broker back (eager here: the task runs), the sweeper re-queues it.
    queued.conf.task_always_eager = True
    Recording.objects.filter(pk=recording.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=30)
    )
    assert recordings_sweep() == 1
    recording.refresh_from_db()
    assert recording.status != Recording.Status.PENDING

# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The beat task that expires interviews past their deadline (and tells the ATS)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.signals import interview_status_changed
from assessments.tasks import expire_interviews
from tests.candidate_factories import sent_interview  # noqa: F401

S = Interview.Status


def move_deadline(interview, delta):
    Interview.objects.filter(pk=interview.pk).update(expires_at=timezone.now() + delta)


def test_expiry_task_expires_overdue_and_leaves_the_rest(sent_interview, celery_eager):
    grace = timedelta(seconds=settings.MARIOHR_SUBMIT_GRACE_SECONDS)
    unused = sent_interview()
    move_deadline(unused, -timedelta(seconds=1))
    fresh = sent_interview()
    overtime = lifecycle.interview_start(interview=sent_interview())
    move_deadline(overtime, -grace - timedelta(seconds=1))
    within_grace = lifecycle.interview_start(interview=sent_interview())
    move_deadline(within_grace, -timedelta(seconds=1))
    submitted = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    move_deadline(submitted, -timedelta(days=1))

    told = []

    def listener(sender, interview, previous_status, at, **kwargs):
        told.append((interview.pk, previous_status, interview.status))

    interview_status_changed.connect(listener)
    try:
        assert expire_interviews.delay().get() == 2
    finally:
        interview_status_changed.disconnect(listener)

    statuses = {i.pk: i.status for i in Interview.objects.all()}
    assert statuses[unused.pk] == S.EXPIRED
    assert statuses[overtime.pk] == S.EXPIRED
    assert statuses[fresh.pk] == S.SENT
    assert statuses[within_grace.pk] == S.IN_PROGRESS
    assert statuses[submitted.pk] == S.SUBMITTED
    assert sorted(told) == sorted(
        [(unused.pk, "sent", "expired"), (overtime.pk, "in_progress", "expired")]
    )
    assert Interview.objects.get(pk=overtime.pk).events.get(kind="expired").data == {
        "reason": "time_limit"
    }
    assert Interview.objects.get(pk=unused.pk).events.get(kind="expired").data == {
        "reason": "invitation"
    }


def test_expiry_task_twice_expires_once(sent_interview, celery_eager):
    interview = sent_interview()
    move_deadline(interview, -timedelta(seconds=1))
    assert expire_interviews.delay().get() == 1
    assert expire_interviews.delay().get() == 0
    assert Interview.objects.get(pk=interview.pk).events.filter(kind="expired").count() == 1


def test_expiry_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "assessments.tasks.expire_interviews" in tasks


def test_invitation_validity_defaults_to_14_days(sent_interview):
    interview = sent_interview()
    assert interview.expires_at - interview.sent_at == timedelta(days=14)

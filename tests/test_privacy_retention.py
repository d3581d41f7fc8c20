# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Retention of personal data and delivery bodies, and each interview's retention clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Answer, Candidate, CandidatePolicy, Interview
from assessments.privacy import retention
from assessments.privacy.models import RetentionClock
from assessments.privacy.tasks import purge_expired_candidate_data
from assessments.recordings.models import Recording
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.privacy import delivery_bodies_purge
from tests.candidate_factories import sent_interview  # noqa: F401

pytestmark = pytest.mark.django_db


def submitted(send, *, days_ago: int, score_answer: str = "my notes") -> Interview:
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=send()))
    Answer.objects.create(
        interview=interview, key="notes", value=score_answer, saved_at=timezone.now()
    )
    Interview.objects.filter(pk=interview.pk).update(score=80, ats_data={"application": "A-9"})
    RetentionClock.objects.filter(interview=interview).update(
        ended_at=timezone.now() - timedelta(days=days_ago)
    )
    return interview


def test_the_clock_starts_when_an_interview_ends_and_stops_when_it_comes_back(sent_interview):
    interview = sent_interview()
    assert not RetentionClock.objects.filter(interview=interview).exists()
    interview = lifecycle.interview_expire(interview=interview)
    clock = RetentionClock.objects.get(interview=interview)
    assert clock.ended_at == interview.status_changed_at
    lifecycle.interview_transition(interview=interview, to_status=Interview.Status.SENT)
    assert not RetentionClock.objects.filter(interview=interview).exists()


def test_personal_data_is_anonymized_after_the_policy_days_keeping_scores(org, sent_interview):
    CandidatePolicy.objects.create(organization=org, personal_data_retention_days=30)
    old = submitted(sent_interview, days_ago=31)
    fresh = submitted(sent_interview, days_ago=29)

    counts = retention.personal_data_anonymize(organization=org)

    assert counts["candidates"] == 1 and counts["answers"] == 1
    candidate = Candidate.objects.get(pk=old.candidate_id)
    assert candidate.email == f"{candidate.pk}@anonymized.invalid"
    assert candidate.first_name == "Anonymized" and candidate.last_name != "Lovelace"
    old.refresh_from_db()
    assert old.score == 80 and old.status == Interview.Status.SUBMITTED and old.ats_data == {}
    assert not Answer.objects.filter(interview=old).exists()
    assert Candidate.objects.get(pk=fresh.candidate_id).email == "ada@example.com"
    assert Answer.objects.filter(interview=fresh).exists()
    # Done once: the clock is marked, a second run finds nothing.
    assert retention.personal_data_anonymize(organization=org)["interviews_checked"] == 0


def test_a_candidate_with_a_live_interview_keeps_their_details(org, sent_interview):
    old = submitted(sent_interview, days_ago=400)
    live = sent_interview()
    Interview.objects.filter(pk=live.pk).update(candidate=old.candidate)

    counts = retention.personal_data_anonymize(organization=org)

    assert counts == {"candidates": 0, "interviews_checked": 1}
    assert Candidate.objects.get(pk=old.candidate_id).email == "ada@example.com"


def test_anonymization_runs_in_bounded_batches_and_continues(org, sent_interview, settings):
    settings.MARIOHR_PRIVACY_PURGE_BATCH = 2
    settings.MARIOHR_PRIVACY_PURGE_MAX_BATCHES = 1
    interviews = [submitted(sent_interview, days_ago=400 + n) for n in range(3)]

    first = retention.personal_data_anonymize(organization=org)
    second = retention.personal_data_anonymize(organization=org)

    assert (first["candidates"], second["candidates"]) == (2, 1)
    emails = Candidate.objects.filter(interview__in=interviews).values_list("email", flat=True)
    assert all(email.endswith("@anonymized.invalid") for email in emails)


def _delivery(org, *, days_ago: int, status=Delivery.Status.SUCCEEDED) -> Delivery:
    delivery = Delivery.objects.create(
        organization=org,
        kind="results_patch",
        target_url="https://ats.example.com/cb",
        endpoint="https://ats.example.com",
        request_body={"email": "ada@example.com"},
        status=status,
        next_attempt_at=timezone.now(),
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        attempted_at=timezone.now(),
        status_code=202,
        outcome=DeliveryAttempt.Outcome.SUCCESS,
        response_excerpt="accepted ada@example.com",
    )
    return delivery


def test_delivery_bodies_are_emptied_after_their_days_and_rows_kept(org, settings):
    settings.MARIOHR_DELIVERY_BODY_RETENTION_DAYS = 30
    settings.MARIOHR_PRIVACY_PURGE_BATCH = 2
    old = [_delivery(org, days_ago=40) for _ in range(3)]
    fresh = _delivery(org, days_ago=10)

    assert delivery_bodies_purge(now=timezone.now()) == 3

    for delivery in old:
        delivery.refresh_from_db()
        assert delivery.request_body is None
        attempt = delivery.attempts.get()
        assert attempt.response_excerpt == "" and attempt.status_code == 202
    fresh.refresh_from_db()
    assert fresh.request_body == {"email": "ada@example.com"}
    # The cursor stopped at the fresh row: nothing is read twice.
    assert delivery_bodies_purge(now=timezone.now()) == 0
    assert delivery_bodies_purge(now=timezone.now() + timedelta(days=21)) == 1


def test_an_active_delivery_keeps_its_body(org, settings):
    active = _delivery(org, days_ago=40, status=Delivery.Status.RETRYING)
    assert delivery_bodies_purge(now=timezone.now()) == 0
    active.refresh_from_db()
    assert active.request_body == {"email": "ada@example.com"}


def test_the_beat_task_runs_every_purge(org, sent_interview, celery_eager, local_media):
    old = submitted(sent_interview, days_ago=400)
    _delivery(org, days_ago=40)

    totals = purge_expired_candidate_data.delay().get()

    assert totals["candidates"] == 1 and totals["delivery_bodies"] == 1
    assert Candidate.objects.get(pk=old.candidate_id).email.endswith("@anonymized.invalid")


def test_the_report_says_when_its_recording_will_be_deleted(org, sent_interview, client):
    CandidatePolicy.objects.create(organization=org, recording_retention_days=60)
    interview = sent_interview()
    Recording.objects.create(interview=interview, status=Recording.Status.FAILED)
    live = client.get(f"/reports/{interview.report_token}")
    assert "deleted 60 days after the interview ends" in live.content.decode()

    interview = submitted(lambda: interview, days_ago=10)
    ended_at = RetentionClock.objects.get(interview=interview).ended_at
    deleted_at = ended_at + timedelta(days=60)
    page = client.get(f"/reports/{interview.report_token}").content.decode()
    assert f'will be deleted on <time datetime="{deleted_at.date().isoformat()}' in page
    body = client.get(f"/reports/{interview.report_token}", HTTP_ACCEPT="application/json").json()
    assert body["recording"]["retention_days"] == 60
    assert body["recording"]["deleted_at"][:10] == deleted_at.date().isoformat()

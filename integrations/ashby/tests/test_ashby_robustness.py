"""Ashby edge cases: replay and retry after newer updates, odd answers, cancel races,
overdue assessments, and what the recruiter is told."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.ashby.delivery import ashby_update_interpret
from integrations.ashby.payloads import assessment_update_payload
from integrations.ashby.services import (
    NotCancellable,
    ashby_assessment_cancel,
    ashby_credentials_set,
    ashby_settings_get,
)
from integrations.ashby.tests import test_ashby_updates as updates
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.ashby.tests.test_ashby_payloads import reviewed_ashby_interview
from integrations.ashby.tests.test_ashby_updates import CANCEL, START, send_all_due, start
from integrations.crypto import decrypt
from integrations.delivery.kinds import Outcome
from integrations.delivery.models import Delivery
from integrations.delivery.services import delivery_replay, delivery_retry_now

tls_ca, ca_file = updates.tls_ca, updates.ca_file
fake_ashby, ashby = updates.fake_ashby, updates.ashby


def test_replaying_an_old_update_sends_the_current_state_with_a_newer_timestamp(fake_ashby, ashby):
    interview = start(ashby)
    interview = lifecycle.interview_start(interview=interview)
    interview = lifecycle.interview_submit(interview=interview)
    started, submitted = send_all_due(interview)
    assert [started.status, submitted.status] == ["succeeded", "succeeded"]

    replay = delivery_replay(delivery=started)
    send_all_due(interview)

    replay.refresh_from_db()
    assert replay.status == Delivery.Status.SUCCEEDED, replay.last_error
    assert replay.replay_of == started
    assert replay.event["timestamp"] > submitted.event["timestamp"]
    # Not "Started" again: that would roll Ashby's view back.
    assert fake_ashby.statuses(interview.partner_interview_id) == [
        "Started",
        "Submitted",
        "Submitted",
    ]


def test_retrying_an_update_after_a_newer_one_was_delivered_sends_nothing(
    fake_ashby, ashby, settings
):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0]
    interview = start(ashby)
    fake_ashby.fail_next = 1
    interview = lifecycle.interview_start(interview=interview)
    lifecycle.interview_submit(interview=interview)
    started, submitted = send_all_due(interview)
    assert started.status == Delivery.Status.FAILED  # one attempt only, then failed
    send_all_due(interview)
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Submitted"]

    assert delivery_retry_now(delivery=started)
    send_all_due(interview)

    started.refresh_from_db()
    assert started.status == Delivery.Status.STOPPED
    assert "newer assessment.update was delivered" in started.last_error
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Submitted"]


@pytest.mark.parametrize("body", [b"[1]", b'"ok"', b"true", b"null", b"3"])
def test_a_200_whose_json_is_not_an_object_is_a_failed_attempt(body):
    outcome = ashby_update_interpret(None, 200, {}, body)
    assert outcome.result == Outcome.RETRY
    assert "not an object" in outcome.error


def test_errors_given_as_a_string_are_reported_whole():
    body = b'{"success": false, "errors": "invalid_api_key"}'
    outcome = ashby_update_interpret(None, 200, {}, body)
    assert outcome.result == Outcome.RETRY
    assert outcome.error.endswith("invalid_api_key")
    assert outcome.credentials_problem is True


def test_cancel_refuses_an_assessment_that_did_not_come_from_ashby(ashby, org, api, send_body):
    response = api.post("/api/greenhouse/send_test", send_body(), format="json")
    greenhouse_id = response.json()["partner_interview_id"]

    response = ashby.post(CANCEL, {"assessment_id": greenhouse_id}, format="json")

    assert response.status_code == 404
    assert response.json()["errors"] == ["not_found"]
    assert Interview.objects.get(partner_interview_id=greenhouse_id).status == "sent"


def test_cancel_of_an_assessment_scored_a_moment_ago_is_refused_not_a_500(ashby):
    interview = start(ashby)
    stale = Interview.objects.get(pk=interview.pk)
    interview = lifecycle.interview_start(interview=interview)
    interview = lifecycle.interview_submit(interview=interview)
    lifecycle.interview_score(interview=interview, score=Decimal("70"))

    with pytest.raises(NotCancellable):
        ashby_assessment_cancel(interview=stale)


def test_cancel_of_an_assessment_expired_a_moment_ago_answers_200(ashby):
    interview = start(ashby)
    stale = Interview.objects.get(pk=interview.pk)
    lifecycle.interview_expire(interview=interview)

    assert ashby_assessment_cancel(interview=stale).status == Interview.Status.EXPIRED


def test_an_overdue_invitation_does_not_block_a_new_start(ashby):
    interview = start(ashby)
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = ashby.post(START, start_body(), format="json")

    assert response.status_code == 200, response.content
    interview.refresh_from_db()
    assert interview.status == Interview.Status.EXPIRED


def test_cancel_validation_speaks_of_cancelling(ashby):
    response = ashby.post(CANCEL, {}, format="json")
    assert response.status_code == 422
    message = response.json()["message"]
    assert message.startswith("MarioHR could not cancel the assessment")
    assert "the assessment id" in message


def test_the_ashby_key_is_stored_trimmed(org):
    ashby_credentials_set(organization=org, api_key="  key-with-space\n")
    stored = ashby_settings_get(organization=org).api_key_encrypted
    assert decrypt(stored) == "key-with-space"


def test_only_the_complete_update_carries_the_breakdown(org):
    interview = reviewed_ashby_interview(lambda criterion: 1)

    def payload(status):
        return assessment_update_payload(interview, {"status": status, "timestamp": 1})

    def criteria(status):
        return [f for f in payload(status)["metadata"] if f["identifier"].startswith("criterion-")]

    assert len(criteria("complete")) >= 5
    # The Submitted update, sent (or retried) after scoring, reports only what it announces.
    assert criteria("submitted") == []
    assert "assessment_result" not in payload("submitted")

"""Results and status changes to a fake Workable over real HTTPS, through the delivery engine:
the PUT's method, URL, Bearer token and body per the contract, retries, credentials problems,
replay, Submit results and the recording follow-up."""

import re
import time
from decimal import Decimal

import pytest

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.scoring_services import CriterionScore, interview_review_score
from integrations.delivery.kinds import Outcome
from integrations.delivery.models import Delivery
from integrations.delivery.recording_ready import RECORDING_READY_BY_SOURCE, recording_ready_key
from integrations.delivery.services import (
    delivery_replay,
    delivery_retry_now,
    delivery_submit_results,
)
from integrations.workable.credentials import workable_settings_update
from integrations.workable.delivery import workable_results_interpret
from integrations.workable.models import WorkableSettings
from tests.delivery_helpers import candidate_completes, delivery_worker, send_all_due, wait_for

from .conftest import WORKABLE_TOKEN, create_body

ASSESSMENTS = "/api/workable/assessments"


def create(workable, fake, name: str = "991") -> Interview:
    body = create_body(callback_url=fake.callback_url(name))
    response = workable.post(ASSESSMENTS, body, format="json")
    assert response.status_code == 201, response.content
    return Interview.objects.get(partner_interview_id=response.json()["assessment_id"])


def reviewed(interview: Interview, points_for) -> Interview:
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    criteria = interview.test.criteria.all()
    scores = {c.pk: CriterionScore(points=points_for(c), comment="ok") for c in criteria}
    return interview_review_score(interview=interview, scores=scores, reviewer=None)


def test_creation_is_reported_pending_with_a_put_and_the_bearer_token(fake_workable, workable):
    interview = create(workable, fake_workable)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED, delivery.last_error
    assert fake_workable.statuses("991") == ["pending"]
    ((request, _),) = fake_workable.httpserver.log
    assert request.method == "PUT"
    assert request.path == "/spi/v1/assessments/991/result"
    assert request.headers["Authorization"] == f"Bearer {WORKABLE_TOKEN}"
    assert request.headers["Content-Type"].startswith("application/json")
    assert delivery.method == "PUT" and delivery.request_body == {"status": "pending"}


def test_scored_results_reach_workable_in_the_contracts_shape(fake_workable, workable):
    interview = create(workable, fake_workable)
    interview = reviewed(interview, lambda criterion: criterion.max_points - 1)
    send_all_due(interview)

    assert fake_workable.rejected == []
    assert fake_workable.statuses("991") == ["pending", "completed"]
    _, results = fake_workable.accepted[-1]
    assessment = results["assessment"]
    criteria = list(interview.test.criteria.all())
    total = sum(c.max_points - 1 for c in criteria)
    assert assessment["score"] == str(int(total))
    assert assessment["grade"] in {"passed", "excelled"}
    assert re.fullmatch(r"\d\d:\d\d:\d\d", assessment["duration"])
    assert assessment["details"] == {c.title: int(c.max_points) - 1 for c in criteria}
    assert interview.test.name in assessment["summary"]
    assert results["results_url"] == f"https://mariohr.example.com/reports/{interview.report_token}"
    assert results["attachments"] == [{"description": "Full report", "url": results["results_url"]}]


def test_started_and_submitted_send_nothing(fake_workable, workable):
    interview = create(workable, fake_workable)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    assert [d.event["workable_status"] for d in send_all_due(interview)] == ["pending"]


@pytest.mark.parametrize(
    ("finish", "status"),
    [(lifecycle.interview_expire, "expired"), (lifecycle.interview_cancel, "rejected")],
)
def test_expiry_and_cancellation_are_sent(fake_workable, workable, finish, status):
    interview = create(workable, fake_workable)
    finish(interview=interview)
    send_all_due(interview)
    assert fake_workable.statuses("991") == ["pending", status]
    assert fake_workable.accepted[-1][1] == {"status": status}


def test_a_score_correction_sends_the_results_again(fake_workable, workable):
    interview = create(workable, fake_workable)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    interview = lifecycle.interview_score(interview=interview, score=Decimal("40"))
    lifecycle.interview_score(interview=interview, score=Decimal("90"))
    send_all_due(interview)
    assert fake_workable.statuses("991") == ["pending", "completed", "completed"]
    grades = [body["assessment"]["grade"] for _, body in fake_workable.accepted[1:]]
    # Built at attempt time from current data: both carry the corrected score.
    assert grades == ["excelled", "excelled"]


def test_a_5xx_is_retried_then_delivered(fake_workable, workable):
    interview = create(workable, fake_workable)
    fake_workable.fail_next = [503]
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 503 and not delivery.credentials_problem
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.all()] == [503, 204]
    assert fake_workable.statuses("991") == ["pending"]


def test_a_401_is_flagged_as_a_credentials_problem(fake_workable, workable, org):
    workable_settings_update(organization=org, results_token="an-old-token")
    interview = create(workable, fake_workable)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 401 and delivery.credentials_problem is True
    assert fake_workable.accepted == []


def test_no_token_configured_fails_the_attempt_as_a_credentials_problem(
    fake_workable, workable, org
):
    workable_settings_update(organization=org, clear_results_token=True)
    interview = create(workable, fake_workable)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING and delivery.credentials_problem
    assert "No Workable token is configured" in delivery.last_error
    assert fake_workable.httpserver.log == []


def test_an_organization_without_workable_settings_gets_a_clear_error(fake_workable, workable, org):
    interview = create(workable, fake_workable)
    WorkableSettings.objects.filter(organization=org).delete()
    (delivery,) = send_all_due(interview)
    assert delivery.credentials_problem and "No Workable token" in delivery.last_error
    assert fake_workable.httpserver.log == []


def test_a_callback_url_outside_the_domain_now_is_not_sent_the_token(fake_workable, workable, org):
    interview = create(workable, fake_workable)
    workable_settings_update(organization=org, callback_domain="workable.com")
    (delivery,) = send_all_due(interview)
    assert delivery.credentials_problem and "workable.com" in delivery.last_error
    assert fake_workable.httpserver.log == []


def test_later_statuses_wait_for_an_earlier_failing_one(fake_workable, workable):
    interview = create(workable, fake_workable)
    fake_workable.fail_next = [500]
    lifecycle.interview_cancel(interview=interview)
    pending, rejected = send_all_due(interview)
    assert pending.status == Delivery.Status.RETRYING
    assert rejected.status == Delivery.Status.PENDING and rejected.attempt_count == 0
    send_all_due(interview)
    send_all_due(interview)
    assert fake_workable.statuses("991") == ["pending", "rejected"]


def test_replay_sends_the_current_state_not_the_old_one(fake_workable, workable):
    interview = create(workable, fake_workable)
    lifecycle.interview_expire(interview=interview)
    pending, _ = send_all_due(interview)
    replay = delivery_replay(delivery=pending)
    send_all_due(interview)
    replay.refresh_from_db()
    assert replay.status == Delivery.Status.SUCCEEDED and replay.replay_of == pending
    assert fake_workable.statuses("991") == ["pending", "expired", "expired"]


def test_retrying_after_a_newer_status_was_delivered_sends_nothing(
    fake_workable, workable, settings
):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0]
    interview = create(workable, fake_workable)
    fake_workable.fail_next = [500]
    lifecycle.interview_cancel(interview=interview)
    pending, _ = send_all_due(interview)
    assert pending.status == Delivery.Status.FAILED
    send_all_due(interview)
    assert delivery_retry_now(delivery=pending)
    send_all_due(interview)
    pending.refresh_from_db()
    assert pending.status == Delivery.Status.STOPPED
    assert fake_workable.statuses("991") == ["rejected"]


def test_submit_results_sends_the_current_state(fake_workable, workable):
    interview = create(workable, fake_workable)
    send_all_due(interview)
    interview = lifecycle.interview_start(interview=interview)
    delivery = delivery_submit_results(interview=interview)
    assert delivery.kind == "workable_results"
    send_all_due(interview)
    # In progress has no Workable status: it is still pending there.
    assert fake_workable.statuses("991") == ["pending", "pending"]


def test_the_recording_follow_up_resends_completed_results(fake_workable, workable):
    follow_up = RECORDING_READY_BY_SOURCE["workable"]
    assert follow_up.statuses == {Interview.Status.COMPLETE}
    interview = create(workable, fake_workable)
    interview = reviewed(interview, lambda criterion: criterion.max_points)
    send_all_due(interview)
    event = {"trigger": "recording_ready", "status": interview.status, "at_ms": 1}
    follow_up.handler(interview=interview, event=event, dedup_key=recording_ready_key(7))
    send_all_due(interview)
    assert fake_workable.statuses("991") == ["pending", "completed", "completed"]


def test_workable_interviews_get_no_greenhouse_patch(fake_workable, workable):
    interview = create(workable, fake_workable)
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    lifecycle.interview_score(interview=interview, score=Decimal("50"))
    assert set(Delivery.objects.filter(interview=interview).values_list("kind", flat=True)) == {
        "workable_results"
    }


def test_a_429_waits_until_workables_rate_limit_resets():
    reset = str(int(time.time()) + 30)
    outcome = workable_results_interpret(None, 429, {"X-Rate-Limit-Reset": reset}, b"")
    assert outcome.result == Outcome.RETRY and 25 <= outcome.retry_after <= 30
    assert workable_results_interpret(None, 429, {"Retry-After": "5"}, b"") is None
    assert workable_results_interpret(None, 503, {}, b"") is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_whole_lifecycle_reaches_workable_in_order_through_a_real_worker(
    fake_workable, workable, settings
):
    with delivery_worker(settings, "workable"):
        interview = create(workable, fake_workable)
        candidate_completes(interview)
        wait_for(lambda: len(fake_workable.accepted) == 2, timeout=60, message="two PUTs")
    assert fake_workable.rejected == []
    assert fake_workable.statuses("991") == ["pending", "completed"]
    assert fake_workable.accepted[-1][1]["assessment"]["score"] == "87"
    assert {d.status for d in Delivery.objects.filter(interview=interview)} == {"succeeded"}

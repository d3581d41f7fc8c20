"""The outbox: rows written with the state change, claimed once, swept, ordered, replayed."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.delivery import kinds
from integrations.delivery import services as delivery_services
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import (
    DeliveryNotPossible,
    deliveries_sweep,
    delivery_attempt,
    delivery_claim,
    delivery_create,
    delivery_replay,
    delivery_retry_now,
    delivery_submit_results,
    submit_results_register,
)
from tests import delivery_helpers as helpers
from tests.delivery_helpers import body_of, celery_broker, receiver_url

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview


@pytest.fixture
def echo_kind():
    """A kind that POSTs its event snapshot, for engine behaviour independent of the PATCH."""

    def build(delivery):
        return kinds.OutboundRequest("POST", delivery.target_url, delivery.event)

    kinds.register("test_echo", build)
    yield "test_echo"
    kinds._registry.pop("test_echo", None)


@pytest.fixture
def enqueued(monkeypatch):
    """Records which delivery ids reach the broker (for the sweeper's selection rules)."""
    ids = []
    monkeypatch.setattr(
        delivery_services,
        "delivery_enqueue",
        lambda *, delivery_id, countdown=None: ids.append(delivery_id),
    )
    return ids


def test_scoring_writes_the_delivery_in_the_same_transaction(make_interview, receiver):
    interview = make_interview(receiver_url(receiver), status="submitted")

    with pytest.raises(RuntimeError), transaction.atomic():
        lifecycle.interview_score(interview=interview, score=Decimal("70"))
        assert Delivery.objects.filter(interview=interview).count() == 1
        raise RuntimeError("the request failed after scoring")

    assert Delivery.objects.filter(interview=interview).count() == 0
    interview = lifecycle.interview_score(interview=interview, score=Decimal("70"))
    delivery = Delivery.objects.get(interview=interview)
    assert delivery.kind == "results_patch"
    assert delivery.target_url == interview.callback_url
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.event["status"] == "complete"
    assert delivery.event["previous_status"] == "submitted"
    assert delivery.event["at_ms"] == int(interview.status_changed_at.timestamp() * 1000)
    assert delivery.webhook_id.startswith("msg_")


def test_no_delivery_for_other_transitions_or_without_callback(
    make_interview, receiver, org, catalog
):
    interview = make_interview(receiver_url(receiver), status="submitted")
    assert not Delivery.objects.exists()
    silent, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@b.example"),
        source="admin",
    )
    silent = lifecycle.interview_start(interview=silent)
    lifecycle.interview_score(interview=silent, score=Decimal("5"))
    assert not Delivery.objects.exists()
    lifecycle.interview_score(interview=interview, score=Decimal("5"))
    lifecycle.interview_score(interview=interview, score=Decimal("6"))  # a correction
    assert Delivery.objects.filter(interview=interview).count() == 2


def test_commit_enqueues_the_fast_path_which_delivers(
    make_interview, receiver, django_capture_on_commit_callbacks, celery_eager
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("", status=200)
    interview = make_interview(receiver_url(receiver), status="submitted")

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.interview_score(interview=interview, score=Decimal("90"))

    delivery = Delivery.objects.get(interview=interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    ((request, _),) = receiver.log
    assert body_of(request)["partner_score"] == 90


def test_a_dead_broker_loses_nothing_and_the_sweeper_recovers(
    make_interview, receiver, api, django_capture_on_commit_callbacks, celery_eager
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("", status=200)
    interview = make_interview(receiver_url(receiver), status="submitted")
    celery_eager.conf.task_always_eager = False
    with celery_broker("redis://127.0.0.1:1/0"):  # nothing listens there
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.interview_score(interview=interview, score=Decimal("40"))
        status = api.get(
            "/api/greenhouse/test_status", {"partner_interview_id": interview.partner_interview_id}
        )
    assert status.status_code == 200 and status.json()["partner_status"] == "complete"
    delivery = Delivery.objects.get(interview=interview)
    assert delivery.status == Delivery.Status.PENDING
    assert receiver.log == []

    celery_eager.conf.task_always_eager = True
    Delivery.objects.filter(pk=delivery.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    assert deliveries_sweep() == 1

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert len(receiver.log) == 1


def test_only_one_claim_wins_and_an_expired_lease_can_be_taken_over(outbound_org, echo_kind):
    delivery = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url="https://ats.example.com/cb"
    )

    first = delivery_claim(delivery_id=delivery.pk)
    second = delivery_claim(delivery_id=delivery.pk)

    assert first and second is None
    Delivery.objects.filter(pk=delivery.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    third = delivery_claim(delivery_id=delivery.pk)
    assert third and third != first


def test_a_stale_worker_cannot_overwrite_the_new_lease_holder(
    outbound_org, echo_kind, receiver, monkeypatch
):
    receiver.expect_request("/cb", method="POST").respond_with_data("", status=200)
    delivery = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=receiver_url(receiver, "/cb")
    )
    real_claim = delivery_services.delivery_claim

    def claim_then_lose_lease(*, delivery_id):
        token = real_claim(delivery_id=delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(lease_token="someone-else")
        return token

    monkeypatch.setattr(delivery_services, "delivery_claim", claim_then_lose_lease)
    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.lease_token == "someone-else"
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts.count() == 1  # the attempt is still on record


def test_sweeper_enqueues_due_rows_and_skips_in_flight_future_and_fresh(
    outbound_org, echo_kind, enqueued
):
    now = timezone.now()

    def make(**fields):
        delivery = delivery_create(
            organization=outbound_org, kind=echo_kind, target_url="https://ats.example.com/cb"
        )
        Delivery.objects.filter(pk=delivery.pk).update(**fields)
        return delivery.pk

    lost = make(enqueued_at=now - timedelta(minutes=1))
    dead_worker = make(
        enqueued_at=now - timedelta(minutes=1), leased_until=now - timedelta(seconds=1)
    )
    long_wait_due = make(status="retrying", enqueued_at=None, next_attempt_at=now)
    make(enqueued_at=now)  # just enqueued by its transaction: trust the message for a while
    make(enqueued_at=None, leased_until=now + timedelta(seconds=30))  # in flight
    make(enqueued_at=None, next_attempt_at=now + timedelta(hours=2))  # not due
    make(enqueued_at=None, status="succeeded")
    make(enqueued_at=None, status="failed")

    assert deliveries_sweep() == 3
    assert sorted(enqueued) == sorted([lost, dead_worker, long_wait_due])
    assert deliveries_sweep() == 0  # just enqueued: trusted until the re-enqueue delay
    assert len(enqueued) == 3


def test_deliveries_sharing_an_ordering_key_go_in_creation_order(
    outbound_org, echo_kind, receiver, enqueued
):
    receiver.expect_request("/ordered", method="POST").respond_with_data("", status=200)
    url = receiver_url(receiver, "/ordered")
    first = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=url, event={"n": 1}, ordering_key="k"
    )
    second = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=url, event={"n": 2}, ordering_key="k"
    )
    unrelated = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=url, event={"n": 3}, ordering_key="j"
    )
    Delivery.objects.update(enqueued_at=None)

    assert delivery_attempt(delivery_id=second.pk) is None
    assert deliveries_sweep() == 2
    assert sorted(enqueued) == sorted([first.pk, unrelated.pk])
    assert delivery_attempt(delivery_id=first.pk).outcome == "success"
    assert enqueued[-1] == second.pk  # the next in line is released at once
    assert delivery_attempt(delivery_id=second.pk).outcome == "success"
    assert [body_of(request)["n"] for request, _ in receiver.log] == [1, 2]


def test_a_permanently_failed_delivery_releases_the_next_in_order(
    outbound_org, echo_kind, receiver, settings
):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0]
    receiver.expect_oneshot_request("/ordered").respond_with_data("", status=500)
    receiver.expect_request("/ordered").respond_with_data("", status=200)
    url = receiver_url(receiver, "/ordered")
    first = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=url, ordering_key="k"
    )
    second = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=url, ordering_key="k"
    )

    assert delivery_attempt(delivery_id=first.pk).outcome == DeliveryAttempt.Outcome.FAILED
    assert delivery_attempt(delivery_id=second.pk).outcome == DeliveryAttempt.Outcome.SUCCESS


def test_a_kind_can_interpret_a_200_as_failure_and_flag_credentials(outbound_org, receiver):
    def build(delivery):
        return kinds.OutboundRequest("POST", delivery.target_url, {"x": 1})

    def interpret(delivery, status_code, headers, body):
        if b'"success": false' in body:
            return kinds.Outcome.retry("ATS said success=false", credentials_problem=True)
        return None

    kinds.register("test_ashby_like", build, interpret)
    try:
        receiver.expect_oneshot_request("/rpc").respond_with_json({"success": False})
        receiver.expect_request("/rpc").respond_with_json({"success": True})
        delivery = delivery_create(
            organization=outbound_org,
            kind="test_ashby_like",
            target_url=receiver_url(receiver, "/rpc"),
        )
        first = delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert first.outcome == DeliveryAttempt.Outcome.RETRY and first.status_code == 200
        assert delivery.credentials_problem is True
        assert delivery.last_error == "ATS said success=false"
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert delivery_attempt(delivery_id=delivery.pk).outcome == DeliveryAttempt.Outcome.SUCCESS
        delivery.refresh_from_db()
        assert delivery.credentials_problem is False
    finally:
        kinds._registry.pop("test_ashby_like", None)


def test_unknown_kind_is_refused_at_creation(outbound_org):
    with pytest.raises(kinds.UnknownKind):
        delivery_create(organization=outbound_org, kind="nope", target_url="https://a.example/")


def test_submit_results_sends_the_current_state_of_an_unfinished_interview(
    make_interview, receiver
):
    receiver.expect_request("/callback", method="PATCH").respond_with_data("", status=200)
    interview = make_interview(receiver_url(receiver), status="in_progress")

    delivery = delivery_submit_results(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)

    assert delivery.event["trigger"] == "submit_results"
    ((request, _),) = receiver.log
    body = body_of(request)
    assert body["partner_status"] == "in_progress"
    assert body["partner_score"] is None
    assert body["partner_profile_url"] is None
    assert "Started At" in body["metadata"]


def test_a_retry_carries_current_data_under_the_same_id(make_interview, receiver):
    receiver.expect_oneshot_request("/callback").respond_with_data("", status=500)
    receiver.expect_request("/callback").respond_with_data("", status=200)
    interview = make_interview(receiver_url(receiver), status="submitted")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("60"))
    delivery = Delivery.objects.get(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)

    Interview.objects.filter(pk=interview.pk).update(score=Decimal("65"))
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    delivery_attempt(delivery_id=delivery.pk)

    scores = [body_of(r)["partner_score"] for r, _ in receiver.log]
    ids = {r.headers["webhook-id"] for r, _ in receiver.log}
    assert scores == [60, 65]
    assert ids == {delivery.webhook_id}


def test_submit_results_needs_a_callback_url(org, catalog):
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@b.example"),
        source="greenhouse",
    )
    with pytest.raises(DeliveryNotPossible, match="no callback URL"):
        delivery_submit_results(interview=interview)
    assert not Delivery.objects.exists()


def test_submit_results_dispatches_on_the_interview_source(org, catalog, echo_kind, monkeypatch):
    registry = delivery_services.SUBMIT_RESULTS_BY_SOURCE
    monkeypatch.delitem(registry, "ashby", raising=False)  # whatever the Ashby app registered
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@b.example"),
        source="ashby",
    )
    with pytest.raises(DeliveryNotPossible, match="ashby"):
        delivery_submit_results(interview=interview)

    def ashby_update(*, interview, event):
        return delivery_create(
            organization=interview.organization,
            interview=interview,
            kind=echo_kind,
            target_url="https://api.ashbyhq.com/assessment.update",
            event=event,
            ordering_key=f"ashby:{interview.pk}",
        )

    submit_results_register("ashby", ashby_update)
    delivery = delivery_submit_results(interview=interview)

    assert delivery.kind == echo_kind
    assert delivery.ordering_key == f"ashby:{interview.pk}"


def test_retry_now_reopens_a_failed_delivery_with_the_same_id(
    outbound_org, echo_kind, receiver, settings
):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0]
    receiver.expect_oneshot_request("/cb").respond_with_data("", status=500)
    receiver.expect_request("/cb").respond_with_data("", status=200)
    delivery = delivery_create(
        organization=outbound_org, kind=echo_kind, target_url=receiver_url(receiver, "/cb")
    )
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED

    assert delivery_retry_now(delivery=delivery) is True
    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert {r.headers["webhook-id"] for r, _ in receiver.log} == {delivery.webhook_id}
    assert delivery_retry_now(delivery=delivery) is False


def test_replay_sends_a_new_message_with_current_data(make_interview, receiver):
    receiver.expect_request("/callback").respond_with_data("", status=200)
    interview = make_interview(receiver_url(receiver), status="submitted")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("30"))
    original = Delivery.objects.get(interview=interview)
    delivery_attempt(delivery_id=original.pk)
    Interview.objects.filter(pk=interview.pk).update(score=Decimal("35"))

    replay = delivery_replay(delivery=original)
    delivery_attempt(delivery_id=replay.pk)

    assert replay.replay_of == original and replay.webhook_id != original.webhook_id
    first, second = (body_of(r) for r, _ in receiver.log)
    assert (first["partner_score"], second["partner_score"]) == (30, 35)

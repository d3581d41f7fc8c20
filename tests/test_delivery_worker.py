"""End to end with real Celery workers: a worker thread, a worker process killed with SIGKILL
mid-send, and a flushed Redis. The database is the truth; the broker only costs latency."""

import threading
import time
import uuid
from collections import Counter
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connections
from rest_framework.test import APIClient
from werkzeug import Response

from assessments import services as lifecycle
from conftest import basic
from integrations.delivery.models import Delivery
from integrations.delivery.services import deliveries_sweep
from tests import delivery_helpers as helpers
from tests.delivery_helpers import (
    TEST_REDIS_URL,
    basic_credentials,
    body_of,
    celery_broker,
    receiver_url,
    redis_reachable,
    signature_valid,
    wait_for,
    worker_process,
)

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queue(settings):
    # A queue of our own: a developer's running worker must not eat the test's messages.
    name = f"delivery-test-{uuid.uuid4().hex[:12]}"
    settings.MARIOHR_DELIVERY_QUEUE = name
    return name


def all_succeeded(deliveries) -> bool:
    return all(
        Delivery.objects.get(pk=d.pk).status == Delivery.Status.SUCCEEDED for d in deliveries
    )


def score_all(interviews) -> list[Delivery]:
    for interview in interviews:
        lifecycle.interview_score(interview=interview, score=Decimal("77"))
    return [Delivery.objects.get(interview=interview) for interview in interviews]


def test_scored_interview_reaches_the_receiver_through_a_real_worker(
    receiver, make_interview, outbound_org, queue
):
    from mariohr.celery import app

    status_seen = []
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(outbound_org.raw_key))

    def greenhouse_like(request):
        # Greenhouse calls test_status right after the PATCH: it must already be final.
        partner_interview_id = body_of(request)["partner_interview_id"]
        try:
            status = api.get(
                "/api/greenhouse/test_status", {"partner_interview_id": partner_interview_id}
            )
        finally:
            connections.close_all()  # this server thread's own connection
        status_seen.append(status.json())
        return Response("", status=200)

    receiver.expect_request("/callback", method="PATCH").respond_with_handler(greenhouse_like)
    interview = make_interview(receiver_url(receiver), status="submitted")

    with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
        interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
        delivery = Delivery.objects.get(interview=interview)
        wait_for(lambda: all_succeeded([delivery]), timeout=60, message="the PATCH")

    ((request, _),) = receiver.log
    body = body_of(request)
    assert request.method == "PATCH"
    assert basic_credentials(request) == ("gh-partner", "s3cret-pass")
    assert signature_valid(request, outbound_org.webhook_secret)
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert body["partner_interview_id"] == interview.partner_interview_id
    assert body["partner_status"] == "complete" and body["partner_score"] == 82
    assert body["report"]["partner_interview_id"] == interview.partner_interview_id
    assert status_seen[0]["partner_status"] == "complete"
    assert status_seen[0]["partner_score"] == 82


def test_a_worker_killed_mid_send_loses_nothing(
    receiver, make_interview, queue, ca_file, settings, tmp_path
):
    settings.MARIOHR_DELIVERY_REENQUEUE_SECONDS = 2
    first_arrived, release = threading.Event(), threading.Event()
    lock = threading.Lock()

    def hang_on_the_first(request):
        with lock:
            first = not first_arrived.is_set()
            first_arrived.set()
        if first:
            release.wait(30)  # the worker that sent this is killed meanwhile
        return Response("", status=200)

    receiver.expect_request("/callback", method="PATCH").respond_with_handler(hang_on_the_first)
    interviews = [
        make_interview(receiver_url(receiver, host="localhost"), status="submitted")
        for _ in range(3)
    ]
    worker_env = {"MARIOHR_DELIVERY_TIMEOUT_SECONDS": "2", "MARIOHR_DELIVERY_LEASE_SECONDS": "3"}

    with worker_process(
        queue=queue, broker_url=None, ca_file=ca_file, log_path=tmp_path / "w1.log", **worker_env
    ) as doomed:
        deliveries = score_all(interviews)
        assert first_arrived.wait(60), (tmp_path / "w1.log").read_text()
        doomed.kill()  # SIGKILL: no cleanup, no ack, no result recorded
        doomed.wait(10)
    release.set()
    in_flight = [
        d for d in Delivery.objects.filter(pk__in=[d.pk for d in deliveries]) if d.leased_until
    ]
    assert len(in_flight) == 1 and in_flight[0].status == Delivery.Status.PENDING

    with worker_process(
        queue=queue, broker_url=None, ca_file=ca_file, log_path=tmp_path / "w2.log", **worker_env
    ):

        def swept_and_done():
            deliveries_sweep()
            return all_succeeded(deliveries)

        wait_for(swept_and_done, timeout=90, interval=1, message=(tmp_path / "w2.log").name)

    received = Counter(request.headers["webhook-id"] for request, _ in receiver.log)
    # At least once, never lost: the interrupted one arrives again under the same id, so a
    # receiver that deduplicates on webhook-id sees each delivery exactly once.
    assert set(received) == {d.webhook_id for d in deliveries}
    assert received[in_flight[0].webhook_id] == 2
    assert sum(received.values()) == 4


def test_a_flushed_redis_loses_nothing(
    receiver, make_interview, queue, ca_file, settings, tmp_path
):
    if not redis_reachable():
        pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} (set MARIOHR_TEST_REDIS_URL)")
    import redis

    settings.MARIOHR_DELIVERY_REENQUEUE_SECONDS = 2
    receiver.expect_request("/callback", method="PATCH").respond_with_data("", status=200)
    interviews = [
        make_interview(receiver_url(receiver, host="localhost"), status="submitted")
        for _ in range(3)
    ]
    broker = redis.Redis.from_url(TEST_REDIS_URL)

    with celery_broker(TEST_REDIS_URL):
        deliveries = score_all(interviews)
        assert broker.llen(queue) == 3  # the fast path did publish
        broker.flushdb()
        with worker_process(
            queue=queue, broker_url=TEST_REDIS_URL, ca_file=ca_file, log_path=tmp_path / "w.log"
        ):
            time.sleep(1)
            assert receiver.log == []  # the messages really are gone

            def swept_and_done():
                deliveries_sweep()
                return all_succeeded(deliveries)

            wait_for(swept_and_done, timeout=90, interval=1, message="deliveries after flush")

    received = Counter(request.headers["webhook-id"] for request, _ in receiver.log)
    assert received == Counter({d.webhook_id: 1 for d in deliveries})

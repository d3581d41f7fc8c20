"""One attempt against a real HTTPS receiver: what counts as success, failure and stop."""

import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import urllib3.util.connection
from django.utils import timezone
from werkzeug import Response

from assessments import services as lifecycle
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from tests import delivery_helpers as helpers
from tests.delivery_helpers import (
    RECEIVER_HOST,
    basic_credentials,
    body_of,
    https_server,
    receiver_url,
    server_context,
    signature_valid,
)

# Fixtures shared by the delivery tests.
tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview


@pytest.fixture
def scored(receiver, make_interview):
    """A scored interview whose results PATCH is due; returns (interview, delivery)."""

    def make(path="/callback"):
        interview = make_interview(receiver_url(receiver, path), status="submitted")
        interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
        return interview, Delivery.objects.get(interview=interview)

    return make


def make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_results_patch_success_carries_body_basic_auth_and_signature(
    receiver, scored, outbound_org
):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({"ok": True})
    interview, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    assert attempt.status_code == 200
    assert json.loads(attempt.response_excerpt) == {"ok": True}
    ((request, response),) = receiver.log
    assert request.headers["Host"] == f"{RECEIVER_HOST}:{receiver.port}"
    assert basic_credentials(request) == ("gh-partner", "s3cret-pass")
    assert request.headers["webhook-id"] == delivery.webhook_id
    assert signature_valid(request, outbound_org.webhook_secret)
    body = body_of(request)
    assert body["partner_interview_id"] == interview.partner_interview_id
    assert body["partner_status"] == "complete"
    assert body["partner_score"] == 82
    assert body["partner_profile_url"].endswith(f"/reports/{interview.report_token}")
    assert body["metadata"]["Final Total"] == "82/100"
    assert body["recording_url"] is None
    assert body["report"]["partner_interview_id"] == interview.partner_interview_id
    assert interview.candidate_token not in request.get_data(as_text=True)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempt_count == 1
    assert delivery.method == "PATCH"
    assert delivery.request_body == body
    assert delivery.succeeded_at is not None


def test_server_errors_are_retried_on_schedule_with_the_same_id(receiver, scored, settings):
    settings.MARIOHR_DELIVERY_JITTER_PERCENT = 0
    receiver.expect_oneshot_request("/callback").respond_with_data("boom", status=500)
    receiver.expect_oneshot_request("/callback").respond_with_data("boom", status=502)
    receiver.expect_request("/callback").respond_with_data("", status=204)
    _, delivery = scored()

    before = timezone.now()
    first = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert first.outcome == DeliveryAttempt.Outcome.RETRY and first.status_code == 500
    assert delivery.status == Delivery.Status.RETRYING
    assert before + timedelta(seconds=5) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(seconds=5)
    assert delivery_attempt(delivery_id=delivery.pk) is None  # not due yet

    make_due(delivery)
    second = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert second.status_code == 502
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=299)

    make_due(delivery)
    third = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert third.outcome == DeliveryAttempt.Outcome.SUCCESS and third.status_code == 204
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.number for a in delivery.attempts.all()] == [1, 2, 3]
    ids = {request.headers["webhook-id"] for request, _ in receiver.log}
    assert ids == {delivery.webhook_id}


def test_jitter_spreads_retry_times(receiver, scored, settings):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0, 1000]
    settings.MARIOHR_DELIVERY_JITTER_PERCENT = 10
    receiver.expect_request("/callback").respond_with_data("", status=500)
    delays = set()
    for _ in range(4):
        _, delivery = scored()
        started = timezone.now()
        delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        delay = (delivery.next_attempt_at - started).total_seconds()
        assert 899 <= delay <= 1101
        delays.add(round(delay, 3))
    assert len(delays) > 1


def test_a_slow_receiver_times_out_and_is_retried(receiver, scored, settings):
    settings.MARIOHR_DELIVERY_TIMEOUT_SECONDS = 1

    def slow(request):
        time.sleep(2.5)
        return Response("late", status=200)

    receiver.expect_request("/callback").respond_with_handler(slow)
    _, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.status_code is None
    assert "timed out" in attempt.error.lower()
    assert delivery.status == Delivery.Status.RETRYING


def test_410_gone_stops_retrying(receiver, scored):
    receiver.expect_request("/callback").respond_with_data("gone", status=410)
    _, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)
    make_due(delivery)

    delivery.refresh_from_db()
    assert attempt.outcome == DeliveryAttempt.Outcome.STOPPED
    assert delivery.status == Delivery.Status.STOPPED
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert len(receiver.log) == 1


@pytest.mark.parametrize(
    ("status", "retry_after", "at_least", "at_most"),
    [
        (429, "120", 120, 121),
        (503, "86400", 3600, 3601),  # capped at one hour
        (429, "soon", 4.5, 5.6),  # unreadable: the schedule decides
    ],
)
def test_retry_after_on_429_and_503_sets_the_next_attempt(
    receiver, scored, status, retry_after, at_least, at_most
):
    receiver.expect_request("/callback").respond_with_data(
        "slow down", status=status, headers={"Retry-After": retry_after}
    )
    _, delivery = scored()

    started = timezone.now()
    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - started).total_seconds()
    assert delivery.status == Delivery.Status.RETRYING
    assert at_least <= wait <= at_most


def test_retry_after_as_http_date(receiver, scored):
    from email.utils import format_datetime

    later = format_datetime(timezone.now() + timedelta(minutes=10), usegmt=True)
    receiver.expect_request("/callback").respond_with_data(
        "", status=503, headers={"Retry-After": later}
    )
    _, delivery = scored()
    started = timezone.now()
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert 590 <= (delivery.next_attempt_at - started).total_seconds() <= 601


def test_redirect_to_a_private_address_is_not_followed(receiver, scored):
    internal = f"https://127.0.0.1:{receiver.port}/internal"
    receiver.expect_request("/callback").respond_with_data(
        "", status=302, headers={"Location": internal}
    )
    receiver.expect_request("/internal").respond_with_data("secret admin page")
    _, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert [request.path for request, _ in receiver.log] == ["/callback"]
    assert attempt.status_code == 302
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert "redirect" in attempt.error


def test_dns_rebinding_to_a_private_address_never_connects(
    receiver, api, send_body, settings, monkeypatch
):
    settings.MARIOHR_CALLBACK_PORTS = [443, receiver.port]
    addresses = {"rebind.example.com": ["93.184.215.14"]}
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: addresses[host])
    response = api.post(
        "/api/greenhouse/send_test",
        send_body(url=f"https://rebind.example.com:{receiver.port}/callback"),
        format="json",
    )
    assert response.status_code == 200, response.content
    interview = lifecycle.interview_start(
        interview=lifecycle.Interview.objects.get(
            partner_interview_id=response.json()["partner_interview_id"]
        )
    )
    interview = lifecycle.interview_score(interview=interview, score=Decimal("50"))
    delivery = Delivery.objects.get(interview=interview)
    receiver.expect_request("/callback").respond_with_data("reached")
    connections = []
    real_connect = urllib3.util.connection.create_connection
    monkeypatch.setattr(
        "urllib3.connection.connection.create_connection",
        lambda address, *a, **k: connections.append(address) or real_connect(address, *a, **k),
    )

    addresses["rebind.example.com"] = ["127.0.0.1"]  # the attacker's DNS flips
    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert connections == []
    assert receiver.log == []
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert "SSRF" in attempt.error and "127.0.0.1" in attempt.error


def test_connection_goes_to_the_checked_address_with_the_hostname_for_tls(
    receiver, scored, monkeypatch
):
    receiver.expect_request("/callback").respond_with_data("", status=200)
    connections = []
    real_connect = urllib3.util.connection.create_connection
    monkeypatch.setattr(
        "urllib3.connection.connection.create_connection",
        lambda address, *a, **k: connections.append(address) or real_connect(address, *a, **k),
    )
    _, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)

    # The certificate names only the hostnames, never 127.0.0.1: verification used the name.
    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    assert connections == [("127.0.0.1", receiver.port)]


@pytest.mark.parametrize("problem", ["untrusted_ca", "wrong_hostname"])
def test_a_bad_certificate_fails_verification(receiver, make_interview, settings, problem, tls_ca):
    import trustme

    if problem == "untrusted_ca":
        context = server_context(trustme.CA(), "localhost", RECEIVER_HOST)
    else:
        context = server_context(tls_ca, "somebody-else.example")
    with https_server(context) as impostor:
        impostor.expect_request("/callback").respond_with_data("", status=200)
        interview = make_interview(receiver_url(impostor), status="submitted")
        lifecycle.interview_score(interview=interview, score=Decimal("10"))
        delivery = Delivery.objects.get(interview=interview)

        attempt = delivery_attempt(delivery_id=delivery.pk)

        assert impostor.log == []
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.status_code is None
    assert "SSL" in attempt.error or "certificate" in attempt.error.lower()


def test_the_delivery_fails_when_the_schedule_is_exhausted(receiver, scored, settings):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0, 5]
    receiver.expect_request("/callback").respond_with_data("", status=500)
    _, delivery = scored()

    delivery_attempt(delivery_id=delivery.pk)
    make_due(delivery)
    last = delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert last.outcome == DeliveryAttempt.Outcome.FAILED
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempt_count == 2
    assert delivery.last_error == "HTTP 500."


def test_401_is_flagged_as_a_credentials_problem(receiver, scored):
    receiver.expect_request("/callback").respond_with_data("bad key", status=401)
    _, delivery = scored()

    delivery_attempt(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.credentials_problem is True
    assert delivery.status == Delivery.Status.RETRYING


def test_response_bodies_are_read_up_to_a_cap(receiver, scored, settings):
    settings.MARIOHR_DELIVERY_MAX_RESPONSE_BYTES = 1000
    receiver.expect_request("/callback").respond_with_data("x" * 500_000, status=200)
    _, delivery = scored()

    attempt = delivery_attempt(delivery_id=delivery.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    assert len(attempt.response_excerpt) == 1000


def test_a_key_as_username_with_empty_password(receiver, scored, outbound_org):
    from integrations.greenhouse.credentials import outbound_credentials_set

    outbound_credentials_set(organization=outbound_org, username="harbinger-key-123")
    receiver.expect_request("/callback").respond_with_data("", status=200)
    _, delivery = scored()

    delivery_attempt(delivery_id=delivery.pk)

    ((request, _),) = receiver.log
    assert basic_credentials(request) == ("harbinger-key-123", "")


def test_plain_http_target_is_refused_at_every_attempt(make_interview, receiver):
    interview = make_interview(f"http://localhost:{receiver.port}/callback", status="submitted")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("1"))
    delivery = Delivery.objects.get(interview=interview)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert receiver.log == []
    assert "must use https" in attempt.error


@pytest.mark.parametrize("drip", ["status_line", "body"])
def test_a_receiver_dripping_bytes_cannot_stretch_an_attempt_past_its_timeout(
    receiver, make_interview, settings, tls_ca, drip
):
    """urllib3's timeouts bound each read; the attempt as a whole has one deadline."""
    import socket
    import threading

    settings.MARIOHR_DELIVERY_TIMEOUT_SECONDS = 1.5
    context = server_context(tls_ca, RECEIVER_HOST)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        raw, _ = listener.accept()
        with context.wrap_socket(raw, server_side=True) as tls:
            tls.recv(65536)  # the request
            head = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"
            body = b"x" * 100
            if drip == "body":
                tls.sendall(head)
            for byte in head if drip == "status_line" else body:
                if stop.wait(0.2):
                    return
                tls.sendall(bytes([byte]))

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        interview = make_interview(
            f"https://{RECEIVER_HOST}:{listener.getsockname()[1]}/cb", status="submitted"
        )
        lifecycle.interview_score(interview=interview, score=Decimal("82"))
        delivery = Delivery.objects.get(interview=interview)
        started = time.monotonic()
        attempt = delivery_attempt(delivery_id=delivery.pk)
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    # Dripping all of it would take 8 s (status line) or 20 s (body).
    assert elapsed < 4, elapsed
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert "timed out" in attempt.error.lower()

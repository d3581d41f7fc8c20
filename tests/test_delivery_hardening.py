"""Answers and races that used to leave a delivery unrecorded, leak a body back after an
erasure, or let a production organization's callback into another organization's sandbox
(README: Outbound delivery; Sandbox organizations and the built-in fake ATS). Run on SQLite
and PostgreSQL: a NUL is refused only by PostgreSQL."""

import json
from decimal import Decimal

import pytest
from django.db import DataError
from werkzeug import Response

from assessments import services as lifecycle
from assessments.privacy.erasure import candidate_erase
from integrations import privacy
from integrations.ashby.models import AshbySettings
from integrations.ashby.tests import test_ashby_updates as ashby_tests
from integrations.credentials import integration_settings_get
from integrations.crypto import encrypt
from integrations.delivery import services, transport
from integrations.delivery.interpret import retry_after_seconds
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt, text_storable
from integrations.sandbox.callback_trial import test_callback_send as callback_send
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import HTTP_PATH, in_process_answer, receiver_target
from integrations.sandbox.services import sandbox_twin_create
from integrations.sandbox.targets import sandbox_receiver_allowed
from integrations.ssrf import UnsafeURL
from mariohr.json_safety import storable
from tests import delivery_helpers as helpers
from tests.delivery_helpers import fake_ats_server, receiver_url, send_all_due

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview
ashby, start = ashby_tests.ashby, ashby_tests.start

BASE = "https://mariohr.example.com"
S = Delivery.Status


@pytest.fixture
def scored(receiver, make_interview):
    """A scored interview and its results PATCH, due now, to the receiver's /callback."""

    def make():
        interview = make_interview(receiver_url(receiver), status="submitted")
        interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
        return interview, Delivery.objects.get(interview=interview)

    return make


def assert_recorded(delivery: Delivery, status: str, attempts: int = 1) -> None:
    delivery.refresh_from_db()
    assert delivery.status == status
    assert delivery.attempt_count == attempts == delivery.attempts.count()
    assert delivery.leased_until is None and delivery.lease_token == ""


# --- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("\u00b2", None),  # "²": str.isdigit() says yes, float() refuses
        ("\u00b9", None),
        ("\u0663", None),  # an Arabic-Indic three
        ("9" * 11, None),
        ("soon", None),
        ("Mon, 99 Foo 2020 99:99:99 GMT", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # a date in the past: now
        ("", None),
        (None, None),
        ("x" * 10_000, None),
    ],
)
def test_retry_after_is_ascii_seconds_or_an_http_date(value, seconds):
    assert retry_after_seconds(value) == seconds


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("value", ["\u00b2", "\u00b9", "9" * 40])
def test_an_unreadable_retry_after_is_ignored_and_the_retries_run_out(
    receiver, scored, settings, status, value
):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0, 0]
    settings.MARIOHR_DELIVERY_JITTER_PERCENT = 0
    receiver.expect_request("/callback").respond_with_data(
        "slow down", status=status, headers={"Retry-After": value}
    )
    _, delivery = scored()
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.status_code == status
    assert_recorded(delivery, S.RETRYING)
    delivery_attempt(delivery_id=delivery.pk)
    assert_recorded(delivery, S.FAILED, attempts=2)
    assert len(receiver.log) == 2


def test_retry_after_is_read_whatever_the_header_case(receiver, scored):
    receiver.expect_request("/callback").respond_with_data(
        "busy", status=429, headers={"retry-after": "600"}
    )
    _, delivery = scored()
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    wait = (delivery.next_attempt_at - delivery.attempts.get().attempted_at).total_seconds()
    assert 590 < wait < 700


def _raise(*args, **kwargs):
    raise RuntimeError("judging went wrong")


def test_a_failure_judging_the_answer_is_a_recorded_retry(receiver, scored, monkeypatch):
    receiver.expect_request("/callback").respond_with_data("ok", status=200)
    _, delivery = scored()
    monkeypatch.setattr(services, "default_outcome", _raise)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert attempt.error == "Internal error judging the answer: RuntimeError"
    assert_recorded(delivery, S.RETRYING)


def test_a_failure_recording_the_answer_still_records_the_attempt(receiver, scored, monkeypatch):
    receiver.expect_request("/callback").respond_with_data("ok", status=200)
    _, delivery = scored()
    real, calls = services._record_now, []

    def refused_once(leased, fields, attempt):
        calls.append(attempt.response_excerpt)
        if len(calls) == 1:
            raise DataError("a value the database refuses")
        return real(leased, fields, attempt)

    monkeypatch.setattr(services, "_record_now", refused_once)
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert calls == ["ok", ""]  # the second time without what the answer carried
    assert attempt.status_code == 200 and attempt.outcome == DeliveryAttempt.Outcome.RETRY
    assert attempt.error == "Internal error recording the answer: DataError"
    assert_recorded(delivery, S.RETRYING)


def test_the_admin_test_callback_ignores_an_unreadable_retry_after(
    admin_client, receiver, outbound_org
):
    receiver.expect_request("/callback").respond_with_response(
        Response("busy", status=429, headers={"Retry-After": "\u00b2"})
    )
    settings_row = integration_settings_get(organization=outbound_org)
    page = admin_client.post(
        f"/admin/integrations/integrationsettings/{settings_row.pk}/test-callback/",
        {"ats": "greenhouse", "url": receiver_url(receiver)},
    )
    assert page.status_code == 200
    assert "busy or rate-limited" in page.content.decode()


def test_the_test_callback_survives_a_failure_judging_the_answer(
    receiver, outbound_org, monkeypatch
):
    receiver.expect_request("/callback").respond_with_data("ok", status=200)
    monkeypatch.setattr("integrations.sandbox.callback_trial.default_outcome", _raise)
    result = callback_send(
        organization=outbound_org, ats_name="greenhouse", url=receiver_url(receiver)
    )
    assert result.sent and not result.ok and "RuntimeError" in result.meaning


# --- NUL and lone surrogates in what the receiver says -----------------------------------


@pytest.mark.parametrize(
    "status, body, outcome",
    [
        (200, b'{"ok":true}\x00', S.SUCCEEDED),
        (500, b"ok\x00bad \xed\xa0\x80", S.RETRYING),  # and an encoded lone surrogate
    ],
)
def test_a_nul_in_the_answer_is_recorded_without_it(receiver, scored, status, body, outcome):
    receiver.expect_request("/callback").respond_with_data(body, status=status)
    _, delivery = scored()
    attempt = delivery_attempt(delivery_id=delivery.pk)
    assert_recorded(delivery, outcome)
    attempt.refresh_from_db()
    assert storable(attempt.response_excerpt) and "\x00" not in attempt.response_excerpt
    assert attempt.response_excerpt.startswith(body[:2].decode())
    assert len(receiver.log) == 1


def test_ashbys_reason_with_a_nul_and_a_lone_surrogate_is_recorded(
    tls_ca, ca_file, settings, monkeypatch, org, ashby
):
    with fake_ats_server(tls_ca, ca_file, settings, monkeypatch) as server:
        AshbySettings.objects.update_or_create(
            organization=org,
            defaults={
                "api_key_encrypted": encrypt("ashby-key"),
                "base_url": f"https://localhost:{server.port}",
            },
        )
        answer = '{"success": false, "errors": ["bad\\u0000key", "\\ud800"]}'
        server.expect_request("/assessment.update").respond_with_data(
            answer, content_type="application/json"
        )
        interview = start(ashby)
        lifecycle.interview_start(interview=interview)
        (delivery,) = send_all_due(interview)
    assert_recorded(delivery, S.RETRYING)
    assert "success: false: bad\ufffdkey" in delivery.last_error
    assert storable(delivery.last_error) and storable(delivery.attempts.get().error)


def test_text_storable_replaces_what_no_column_holds():
    assert text_storable("plain é") == "plain é"
    assert text_storable("a\x00b\ud800c") == "a\ufffdb?c"


# --- An erasure while an attempt is in flight --------------------------------------------


def test_an_attempt_in_flight_never_writes_back_an_erased_body(receiver, scored, monkeypatch):
    receiver.expect_request("/callback").respond_with_json({"ok": True})
    interview, delivery = scored()
    real = transport.request_send

    def send_then_erase(*args, **kwargs):
        response = real(*args, **kwargs)
        candidate_erase(candidate=interview.candidate, by_user_id=None, by_username="dpo")
        return response

    monkeypatch.setattr(transport, "request_send", send_then_erase)
    delivery_attempt(delivery_id=delivery.pk)
    assert_recorded(delivery, S.SUCCEEDED)
    assert delivery.request_body == privacy.REDACTED_BODY == services.REDACTED_BODY
    assert "hpotter" not in json.dumps(delivery.request_body)


def test_an_attempt_still_records_the_body_it_sent(receiver, scored):
    receiver.expect_request("/callback").respond_with_data(status=204)
    _, delivery = scored()
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.request_body["partner_score"] == 82
    assert delivery.method == "PATCH"


# --- Another organization's sandbox, by a path readers disagree on -----------------------


@pytest.fixture
def http_door(settings, monkeypatch):
    """MarioHR's public URL, with its receiver route registered as at startup."""
    settings.MARIOHR_BASE_URL = BASE
    monkeypatch.setitem(transport._in_process_routes, f"{BASE}{HTTP_PATH}", in_process_answer)


@pytest.fixture
def victim(other_org):
    return sandbox_twin_create(organization=other_org).sandbox


SPELLINGS = [
    "{base}/sandbox/receiver/{token}/../../../cb",
    "{base}/sandbox/receiver/{token}/%2e%2e/%2E%2E/%2e%2e/cb",
    "{base}/sandbox/receiver/{token}/..%2f..%2F..%2fcb",
    "{base}/sandbox/receiver/{token}%2F..%2F..%2F..%2Fcb",
    "{base}/sandbox/receiver/{token}/.%2e/.%2e/.%2e/cb",
    "{base}/sandbox/receiver/{token}/%252e%252e/cb",
    "{base}/sandbox/receiver//{token}/cb",
    "{base}//sandbox/receiver/{token}/cb",
    "{base}/SANDBOX/receiver/{token}/cb",
    "{base}/Sandbox/Receiver/{token}/../../../cb",
    "{base}/x/../sandbox/receiver/{token}/cb",
    "https://MARIOHR.example.com./sandbox/receiver/{token}/../../../cb",
    "https://receiver.sandbox.mariohr.invalid/{token}/../../cb",
    "https://receiver.sandbox.mariohr.invalid/x/..%2F{token}/cb",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_production_organization_never_reaches_another_sandbox(
    http_door, org, victim, client_for, send_body, spelling
):
    url = spelling.format(base=BASE, token=victim.receiver_token)
    assert receiver_target(url) == ("", "")
    answer = client_for(org).post("/api/greenhouse/send_test", send_body(url=url), format="json")
    assert answer.status_code == 400, answer.content
    assert "sandbox receiver" in json.dumps(answer.json()["fields"]["url"])
    result = callback_send(organization=org, ats_name="greenhouse", url=url)
    assert not result.sent and "sandbox receiver" in result.meaning
    status, _, _ = in_process_answer("PATCH", url, {}, b"{}")
    assert status == 404
    assert not ReceivedCallback.objects.exists()


@pytest.mark.parametrize("spelling", SPELLINGS[:4])
def test_a_sandbox_cannot_step_from_its_receiver_into_another(http_door, org, victim, spelling):
    twin = sandbox_twin_create(organization=org).sandbox
    url = spelling.format(base=BASE, token=f"{twin.receiver_token}/../{victim.receiver_token}")
    with pytest.raises(UnsafeURL, match="dot-segments"):
        sandbox_receiver_allowed(url, organization=twin.organization)


def test_a_results_patch_changed_behind_the_back_is_not_sent(http_door, scored, victim):
    _, delivery = scored()
    url = f"{BASE}{HTTP_PATH}{victim.receiver_token}/../../../cb"
    Delivery.objects.filter(pk=delivery.pk).update(target_url=url)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.credentials_problem and "sandbox receiver" in delivery.last_error
    assert not ReceivedCallback.objects.exists()


def test_the_receiver_reads_a_plain_url_once_for_every_door(http_door, victim):
    token = victim.receiver_token
    for url in (
        f"{BASE}{HTTP_PATH}{token}/apps/2/results?answer_status=401",
        f"https://receiver.sandbox.mariohr.invalid/{token}/apps/2/results?answer_status=401",
    ):
        assert receiver_target(url) == (token, "/apps/2/results?answer_status=401")
    assert receiver_target(f"{BASE}/api/greenhouse/send_test") is None
    assert receiver_target("https://example.com/sandbox/receiver/x/../y") is None

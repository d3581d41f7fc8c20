"""Ashby end to end: a fake Ashby over real HTTPS that checks auth, headers and every payload
against the contract, driven through list → start → candidate start → submit → score, cancel,
expiry, bad credentials in both directions and `success: false` then recovery."""

import base64

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.ashby.models import AshbySettings
from integrations.ashby.services import ashby_credentials_set
from integrations.ashby.tests.fake_ashby import FakeAshby
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.delivery.models import Delivery
from integrations.delivery.services import delivery_submit_results
from tests import delivery_helpers as helpers
from tests.delivery_helpers import (
    candidate_completes,
    delivery_worker,
    fake_ats_server,
    send_all_due,
    wait_for,
)

tls_ca, ca_file = helpers.tls_ca, helpers.ca_file
ASHBY_KEY = "ashby-customer-key-123"
START, CANCEL = "/api/ashby/assessment.start", "/api/ashby/assessment.cancel"


@pytest.fixture
def fake_ashby(tls_ca, ca_file, settings, monkeypatch, org):
    with fake_ats_server(tls_ca, ca_file, settings, monkeypatch) as server:
        fake = FakeAshby(server, ASHBY_KEY)
        ashby_credentials_set(
            organization=org, api_key=ASHBY_KEY, base_url=f"https://localhost:{server.port}"
        )
        yield fake


@pytest.fixture
def ashby(org):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{org.raw_key}:".encode()).decode()
    )
    return client


def start(ashby) -> Interview:
    response = ashby.post(START, start_body(), format="json")
    assert response.status_code == 200, response.content
    return Interview.objects.get(partner_interview_id=response.json()["results"]["assessment_id"])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_whole_lifecycle_reaches_ashby_in_order_through_a_real_worker(fake_ashby, ashby, settings):
    listed = ashby.post("/api/ashby/assessment.list", {}, format="json").json()
    assert "py-fastapi-review" in [r["assessment_type_id"] for r in listed["results"]]
    interview = start(ashby)
    with delivery_worker(settings, "ashby"):
        candidate_completes(interview)
        wait_for(lambda: len(fake_ashby.accepted) == 3, timeout=60, message="three updates")

    assert fake_ashby.rejected == []
    assert fake_ashby.statuses(interview.partner_interview_id) == [
        "Started",
        "Submitted",
        "Completed",
    ]
    timestamps = [u["timestamp"] for u in fake_ashby.accepted]
    assert timestamps == sorted(timestamps) and len(set(timestamps)) == 3
    final = fake_ashby.accepted[-1]
    assert final["assessment_result"]["value"] == 87
    assert final["assessment_profile_url"]["value"].endswith(f"/reports/{interview.report_token}")
    assert {d.status for d in Delivery.objects.filter(interview=interview)} == {"succeeded"}
    ((request, _), *_) = fake_ashby.httpserver.log
    assert request.headers["Accept"] == "application/json; version=1"
    assert request.headers["User-Agent"].startswith("MarioHR/")
    assert request.headers["Content-Type"].startswith("application/json")


def test_cancel_sends_an_update_with_cancelled_reason(
    fake_ashby, ashby, django_capture_on_commit_callbacks
):
    interview = start(ashby)
    response = ashby.post(CANCEL, {"assessment_id": interview.partner_interview_id}, format="json")
    assert response.status_code == 200
    deliveries = send_all_due(interview)
    assert [d.status for d in deliveries] == ["succeeded"]
    (update,) = fake_ashby.accepted
    assert update["cancelled_reason"] == "The assessment was cancelled."
    assert "assessment_result" not in update


def test_expiry_sends_an_update_with_cancelled_reason(fake_ashby, ashby):
    interview = start(ashby)
    lifecycle.interview_expire(interview=interview)
    send_all_due(interview)
    (update,) = fake_ashby.accepted
    assert "expired" in update["cancelled_reason"]
    assert update["assessment_status"]["value"] == "Expired"


def test_success_false_is_a_failed_attempt_then_recovers(fake_ashby, ashby):
    interview = start(ashby)
    fake_ashby.fail_next = 1
    lifecycle.interview_start(interview=interview)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert "success: false" in delivery.last_error and "internal_error" in delivery.last_error
    assert "req-test" in delivery.last_error  # errorInfo.requestId is logged
    assert fake_ashby.accepted == []
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Started"]
    assert delivery.attempts.count() == 2


def test_wrong_ashby_key_is_flagged_as_a_credentials_problem(fake_ashby, ashby, org):
    ashby_credentials_set(organization=org, api_key="not-the-right-key")
    interview = start(ashby)
    lifecycle.interview_start(interview=interview)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 403
    assert delivery.credentials_problem is True
    assert fake_ashby.accepted == []


def test_missing_ashby_key_fails_the_attempt_with_a_clear_error(ashby, org, settings):
    interview = start(ashby)
    lifecycle.interview_start(interview=interview)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert "No Ashby API key is configured" in delivery.last_error


def test_later_updates_wait_for_an_earlier_failing_one(fake_ashby, ashby):
    interview = start(ashby)
    fake_ashby.fail_next = 1
    interview = lifecycle.interview_start(interview=interview)
    lifecycle.interview_submit(interview=interview)
    first, second = send_all_due(interview)
    assert first.status == Delivery.Status.RETRYING
    assert second.status == Delivery.Status.PENDING and second.attempt_count == 0
    send_all_due(interview)
    send_all_due(interview)
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Started", "Submitted"]


def test_submit_results_sends_an_ashby_update(fake_ashby, ashby):
    interview = start(ashby)
    delivery = delivery_submit_results(interview=interview)
    assert delivery.kind == "ashby_update"
    send_all_due(interview)
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Invited"]
    assert fake_ashby.accepted[0]["timestamp"] > int(interview.sent_at.timestamp() * 1000)


def test_submit_results_command_accepts_an_ashby_assessment_id(fake_ashby, ashby, capsys):
    interview = start(ashby)
    call_command("submit_results", interview.partner_interview_id)
    assert Delivery.objects.filter(interview=interview, kind="ashby_update").count() == 1


def test_set_ashby_credentials_encrypts_and_guards_the_base_url(org, capsys):
    call_command(
        "set_ashby_credentials",
        org.slug,
        "--api-key",
        "secret-ashby-key",
        "--base-url",
        "https://api.ashbyhq.com/",
    )
    row = AshbySettings.objects.get(organization=org)
    assert "secret-ashby-key" not in row.api_key_encrypted
    assert row.base_url == "https://api.ashbyhq.com"
    for bad in ("http://api.ashbyhq.com", "https://10.0.0.5", "https://localhost", "https://[::1]"):
        with pytest.raises(CommandError, match="Base URL"):
            call_command("set_ashby_credentials", org.slug, "--api-key", "k", "--base-url", bad)
    with pytest.raises(CommandError, match="No organization"):
        call_command("set_ashby_credentials", "nope", "--api-key", "k")


def test_greenhouse_interviews_send_no_ashby_updates(org, catalog):
    interview, _ = lifecycle.interview_send(
        organization=org,
        test=catalog["py-fastapi-review"],
        candidate=lifecycle.CandidateData(first_name="A", last_name="B", email="a@example.com"),
        source="greenhouse",
        callback_url="https://ats.example.com/cb",
    )
    lifecycle.interview_start(interview=interview)
    assert not Delivery.objects.filter(interview=interview).exists()

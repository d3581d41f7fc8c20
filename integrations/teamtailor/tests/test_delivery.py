"""Partner-result PUTs to a fake Teamtailor over real HTTPS: method, URL, headers and body per
the contract at every status change, retries, credentials problems, Submit results, replay
and the recording follow-up."""

import uuid
from decimal import Decimal

import pytest

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.delivery.models import Delivery
from integrations.delivery.services import (
    delivery_attempt,
    delivery_replay,
    delivery_submit_results,
)
from integrations.teamtailor.services import teamtailor_settings_set
from tests.delivery_helpers import candidate_completes, delivery_worker, send_all_due, wait_for

from .conftest import PARTNER_KEY

WEBHOOK = "/api/teamtailor/webhook"


def receive(teamtailor, fake, webhook_body, result_id: str | None = None) -> Interview:
    result_id = result_id or str(uuid.uuid4())
    body = webhook_body(result_id=result_id, update_url=fake.update_url(result_id))
    response = teamtailor.post(WEBHOOK, body, format="json")
    assert response.status_code == 201, response.content
    return Interview.objects.get(ats_data__teamtailor_partner_result_id=result_id)


def score(interview, points="41", maximum="50") -> Interview:
    interview = lifecycle.interview_start(interview=interview)
    interview = lifecycle.interview_submit(interview=interview)
    return lifecycle.interview_score(
        interview=interview, score=Decimal(points), max_score=Decimal(maximum)
    )


def test_every_status_change_is_put_to_the_update_url_per_the_contract(
    fake_teamtailor, teamtailor, webhook_body
):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="1a6d5a41")
    score(interview)
    deliveries = send_all_due(interview)

    assert fake_teamtailor.rejected == []
    assert [d.status for d in deliveries] == ["succeeded"] * 4
    # Each PUT is built when it is attempted, from the interview as it is then.
    assert fake_teamtailor.statuses("1a6d5a41") == ["completed"] * 4
    assert [d.event.get("status") for d in deliveries] == [
        "sent",
        "in_progress",
        "submitted",
        "complete",
    ]
    for request, _ in fake_teamtailor.httpserver.log:
        assert request.method == "PUT"
        assert request.path == "/partner/v1/partner-results/1a6d5a41"
        assert request.headers["Authorization"] == f"Token {PARTNER_KEY}"
        assert request.headers["X-Api-Version"] == "20180828"
        assert request.headers["Content-Type"] == "application/vnd.api+json"
    final = fake_teamtailor.accepted[-1]["data"]
    assert final["type"] == "partner-results" and final["id"] == "1a6d5a41"
    attributes = final["attributes"]
    assert attributes["status"] == "completed"
    assert attributes["assessment"]["score"] == 82
    assert attributes["assessment"]["grade"] == "top_fit"
    assert isinstance(attributes["assessment"]["duration"], int)
    assert attributes["details"]["Final total"] == "41/50"
    assert attributes["assessment-criteria"] == [{"id": "overall", "score": 82}]
    assert attributes["url"].endswith(f"/reports/{interview.report_token}")
    assert "82/100" in attributes["summary"] and len(attributes["summary"]) <= 150


def test_each_update_carries_the_status_of_its_moment_when_sent_in_time(
    fake_teamtailor, teamtailor, webhook_body
):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-1")
    send_all_due(interview)
    interview = lifecycle.interview_start(interview=interview)
    send_all_due(interview)
    interview = lifecycle.interview_submit(interview=interview)
    send_all_due(interview)
    lifecycle.interview_score(interview=interview, score=Decimal("20"), max_score=Decimal("50"))
    send_all_due(interview)
    assert fake_teamtailor.statuses("r-1") == ["sent", "pending", "pending", "completed"]
    summaries = [b["data"]["attributes"]["summary"] for b in fake_teamtailor.accepted]
    assert "started" in summaries[1] and "being scored" in summaries[2]
    assert fake_teamtailor.accepted[-1]["data"]["attributes"]["assessment"] == {
        "score": 40,
        "grade": "might_not_be_fit",
        "duration": fake_teamtailor.accepted[-1]["data"]["attributes"]["assessment"]["duration"],
    }


@pytest.mark.parametrize(
    "finish, words",
    [
        (lambda i: lifecycle.interview_cancel(interview=i), "Cancelled"),
        (lambda i: lifecycle.interview_expire(interview=i), "Expired"),
    ],
)
def test_cancel_and_expiry_are_failed_with_a_summary_saying_which(
    fake_teamtailor, teamtailor, webhook_body, finish, words
):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-2")
    send_all_due(interview)
    finish(interview)
    send_all_due(interview)
    assert fake_teamtailor.statuses("r-2") == ["sent", "failed"]
    attributes = fake_teamtailor.accepted[-1]["data"]["attributes"]
    assert attributes["summary"].startswith(words)
    assert "assessment" not in attributes


def test_a_5xx_is_retried_then_delivered(fake_teamtailor, teamtailor, webhook_body):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-3")
    fake_teamtailor.fail_next = 1
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 503 and delivery.credentials_problem is False
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.order_by("number")] == [503, 200]
    assert fake_teamtailor.statuses("r-3") == ["sent"]


def test_a_401_is_flagged_as_a_credentials_problem(fake_teamtailor, teamtailor, org, webhook_body):
    teamtailor_settings_set(organization=org, api_key="not-the-right-key")
    interview = receive(teamtailor, fake_teamtailor, webhook_body)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 401
    assert delivery.credentials_problem is True
    assert fake_teamtailor.accepted == []


def test_no_partner_key_is_a_credentials_problem_and_nothing_is_sent(
    fake_teamtailor, teamtailor, org, webhook_body
):
    teamtailor_settings_set(organization=org, api_key="")
    interview = receive(teamtailor, fake_teamtailor, webhook_body)
    (delivery,) = send_all_due(interview)
    assert delivery.credentials_problem is True
    assert "Teamtailor partner API key" in delivery.last_error
    assert fake_teamtailor.httpserver.log == []


def test_submit_results_and_replay_send_the_current_state(
    fake_teamtailor, teamtailor, webhook_body
):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-4")
    interview = score(interview)
    (*_, last) = send_all_due(interview)
    submitted = delivery_submit_results(interview=interview)
    replayed = delivery_replay(delivery=last)
    for delivery in (submitted, replayed):
        delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == Delivery.Status.SUCCEEDED
    assert fake_teamtailor.statuses("r-4")[-2:] == ["completed", "completed"]
    assert replayed.webhook_id != last.webhook_id


def test_an_update_url_the_ssrf_guard_refuses_at_delivery_is_never_called(
    fake_teamtailor, teamtailor, org, webhook_body, settings
):
    interview = receive(teamtailor, fake_teamtailor, webhook_body)
    settings.MARIOHR_CALLBACK_ALLOWLIST = []  # localhost is a private address again
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert "SSRF" in delivery.last_error
    assert fake_teamtailor.httpserver.log == []


def test_a_recording_processed_after_the_score_follows_as_an_attachment(
    fake_teamtailor, teamtailor, webhook_body
):
    from assessments.recordings.models import Recording
    from integrations.delivery.recording_ready import delivery_recording_ready

    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-5")
    interview = score(interview)
    send_all_due(interview)
    assert "attachments" not in fake_teamtailor.accepted[-1]["data"]["attributes"]
    recording = Recording.objects.create(
        interview=interview, status=Recording.Status.PROCESSED, file_name="recordings/x.webm"
    )
    follow_up = delivery_recording_ready(recording_pk=recording.pk)
    assert follow_up is not None and follow_up.kind == "teamtailor_result"
    assert delivery_recording_ready(recording_pk=recording.pk) is None  # once only
    send_all_due(interview)
    attributes = fake_teamtailor.accepted[-1]["data"]["attributes"]
    assert attributes["status"] == "completed"
    # A stable link (the report page), not the recording's expiring one.
    assert attributes["attachments"] == [
        {"url": attributes["url"] + "#recording", "description": "Session recording"}
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_lifecycle_reaches_teamtailor_through_a_real_worker(
    fake_teamtailor, teamtailor, webhook_body, settings
):
    with delivery_worker(settings, "teamtailor"):
        interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-w")
        candidate_completes(interview)
        wait_for(lambda: len(fake_teamtailor.accepted) == 4, timeout=60, message="four PUTs")
    assert fake_teamtailor.rejected == []
    assert fake_teamtailor.statuses("r-w")[-1] == "completed"
    assert {d.status for d in Delivery.objects.filter(interview=interview)} == {"succeeded"}

"""Reports reach a fake Recruitee over real HTTPS: the PATCH per the contract (method, URL,
RT-PARTNER-SECRET, body), the statuses Recruitee has, retries, credentials problems."""

from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.recordings.models import Recording
from integrations.delivery.models import Delivery
from integrations.delivery.recording_ready import delivery_recording_ready
from integrations.delivery.services import (
    delivery_replay,
    delivery_submit_results,
)
from integrations.recruitee.models import RecruiteeSettings
from integrations.recruitee.services import recruitee_settings_set
from integrations.values import iso_ms, report_url
from tests.delivery_helpers import candidate_completes, delivery_worker, send_all_due, wait_for

from .conftest import CODENAME, PARTNER_SECRET, SEND, candidate_body


def send(recruitee, fake) -> Interview:
    body = candidate_body()
    fake.report_created(body["report_id"])
    response = recruitee.post(SEND, body, format="json")
    assert response.status_code == 201, response.content
    return Interview.objects.get(partner_interview_id=response.json()["id"])


def scored(interview: Interview, score="82") -> Interview:
    interview = lifecycle.interview_start(interview=interview)
    interview = lifecycle.interview_submit(interview=interview)
    return lifecycle.interview_score(interview=interview, score=Decimal(score))


def report_id(interview) -> str:
    return interview.ats_data["recruitee_report_id"]


def test_the_score_is_patched_to_the_report_with_the_partner_secret(fake_recruitee, recruitee):
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.kind == "recruitee_report"
    assert delivery.status == Delivery.Status.SUCCEEDED

    ((request, _),) = fake_recruitee.httpserver.log
    assert request.method == "PATCH"
    assert request.path == f"/api/p/{CODENAME}/reports/{report_id(interview)}"
    assert request.headers["RT-PARTNER-SECRET"] == PARTNER_SECRET
    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"].startswith("application/json")
    interview.refresh_from_db()
    assert fake_recruitee.bodies(report_id(interview)) == [
        {
            "status": "completed",
            "score": "82/100",
            "completed_at": iso_ms(interview.completed_at),
            "urls": {"report": report_url(interview)},
        }
    ]
    assert fake_recruitee.reports[report_id(interview)]["status"] == "completed"


def test_started_and_submitted_send_nothing(fake_recruitee, recruitee):
    interview = send(recruitee, fake_recruitee)
    interview = lifecycle.interview_start(interview=interview)
    lifecycle.interview_submit(interview=interview)
    assert send_all_due(interview) == []
    assert fake_recruitee.accepted == []


def test_cancel_sends_canceled(fake_recruitee, recruitee):
    interview = lifecycle.interview_cancel(interview=send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert fake_recruitee.bodies(report_id(interview)) == [{"status": "canceled"}]


def test_expiry_sends_canceled(fake_recruitee, recruitee):
    interview = lifecycle.interview_expire(interview=send(recruitee, fake_recruitee))
    send_all_due(interview)
    assert fake_recruitee.bodies(report_id(interview)) == [{"status": "canceled"}]


def test_a_score_correction_sends_the_new_score(fake_recruitee, recruitee):
    interview = scored(send(recruitee, fake_recruitee))
    lifecycle.interview_score(interview=interview, score=Decimal("90.5"))
    send_all_due(interview)
    scores = [body["score"] for body in fake_recruitee.bodies(report_id(interview))]
    assert scores == ["90.5/100", "90.5/100"]  # each built at its attempt: current data


def test_a_5xx_is_retried_then_delivered(fake_recruitee, recruitee):
    fake_recruitee.fail_next = 1
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 500
    assert delivery.credentials_problem is False
    assert fake_recruitee.accepted == []
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert [a.status_code for a in delivery.attempts.order_by("number")] == [500, 200]
    assert len(fake_recruitee.accepted) == 1


def test_a_wrong_secret_is_flagged_as_a_credentials_problem(fake_recruitee, recruitee, settings):
    settings.MARIOHR_RECRUITEE_PARTNER_SECRET = "not-the-secret"
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.last_status_code == 401
    assert delivery.credentials_problem is True
    assert fake_recruitee.accepted == []


def test_no_secret_anywhere_fails_the_attempt_without_a_request(
    fake_recruitee, recruitee, settings
):
    settings.MARIOHR_RECRUITEE_PARTNER_SECRET = ""
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.credentials_problem is True
    assert "No Recruitee partner secret" in delivery.last_error
    assert fake_recruitee.httpserver.log == []


def test_a_deployment_codename_that_is_not_one_is_never_sent(fake_recruitee, recruitee, settings):
    settings.MARIOHR_RECRUITEE_CODENAME = "../../admin"
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.credentials_problem is True
    assert "codename" in delivery.last_error
    assert fake_recruitee.httpserver.log == []


def test_an_organizations_own_secret_is_used_over_the_deployments(
    fake_recruitee, recruitee, org, settings
):
    settings.MARIOHR_RECRUITEE_PARTNER_SECRET = "the-deployments-other-secret"
    recruitee_settings_set(organization=org, partner_secret=PARTNER_SECRET)
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_an_unknown_report_stops_the_delivery(fake_recruitee, recruitee):
    interview = send(recruitee, fake_recruitee)
    del fake_recruitee.reports[report_id(interview)]
    lifecycle.interview_cancel(interview=interview)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.STOPPED
    assert delivery.last_status_code == 404
    assert "no such report" in delivery.last_error


def test_an_api_base_outside_recruitee_is_never_called(fake_recruitee, recruitee, org):
    interview = send(recruitee, fake_recruitee)
    # Changed behind the admin's back: the partner secret must not go to another host.
    RecruiteeSettings.objects.filter(organization=org).update(
        api_base_url="https://attacker.example.com/api"
    )
    lifecycle.interview_cancel(interview=interview)
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.credentials_problem is True
    assert "API base URL must be on Recruitee" in delivery.last_error
    assert fake_recruitee.httpserver.log == []


def test_submit_results_sends_the_current_state(fake_recruitee, recruitee):
    interview = send(recruitee, fake_recruitee)
    delivery = delivery_submit_results(interview=interview)
    assert delivery.kind == "recruitee_report"
    send_all_due(interview)
    assert fake_recruitee.bodies(report_id(interview)) == [{"status": "sent"}]


def test_replay_sends_the_report_again(fake_recruitee, recruitee):
    interview = scored(send(recruitee, fake_recruitee))
    (delivery,) = send_all_due(interview)
    replay = delivery_replay(delivery=delivery)
    assert replay.webhook_id != delivery.webhook_id
    send_all_due(interview)
    bodies = fake_recruitee.bodies(report_id(interview))
    assert len(bodies) == 2 and bodies[0] == bodies[1]


def test_a_processed_recording_sends_the_completed_report_again(fake_recruitee, recruitee):
    interview = scored(send(recruitee, fake_recruitee))
    send_all_due(interview)
    recording = Recording.objects.create(
        interview=interview,
        status=Recording.Status.PROCESSED,
        file_name="session.webm",
        processed_at=timezone.now(),
    )
    follow_up = delivery_recording_ready(recording_pk=recording.pk)
    assert follow_up.kind == "recruitee_report"
    assert delivery_recording_ready(recording_pk=recording.pk) is None  # once per recording
    send_all_due(interview)
    first, again = fake_recruitee.bodies(report_id(interview))
    assert again == first and again["status"] == "completed"
    assert again["urls"]["report"] == report_url(interview)  # the page that plays it


def test_no_recording_follow_up_before_the_score(fake_recruitee, recruitee):
    interview = send(recruitee, fake_recruitee)
    recording = Recording.objects.create(
        interview=interview, status=Recording.Status.PROCESSED, file_name="session.webm"
    )
    assert delivery_recording_ready(recording_pk=recording.pk) is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_whole_lifecycle_reaches_recruitee_through_a_real_worker(
    fake_recruitee, recruitee, settings
):
    interview = send(recruitee, fake_recruitee)
    with delivery_worker(settings, "recruitee"):
        candidate_completes(interview)
        wait_for(lambda: len(fake_recruitee.accepted) == 1, timeout=60, message="the report")

    (body,) = fake_recruitee.bodies(report_id(interview))
    assert body["status"] == "completed" and body["score"] == "87/100"
    assert fake_recruitee.rejected == []
    assert {d.status for d in Delivery.objects.filter(interview=interview)} == {"succeeded"}

# ruff: noqa: F811 - fixtures imported from the plug-ins' conftest modules
"""The ATS sees a reopen, a retake and an extended invitation: each plug-in's fake ATS (or
the HTTPS receiver) over real HTTPS gets the status back to sent, Ashby the new expiry."""

from decimal import Decimal

from assessments import interview_changes as changes
from assessments import services as lifecycle
from assessments.models import Interview
from integrations.ashby.tests.test_ashby_updates import ashby, fake_ashby, start  # noqa: F401
from integrations.delivery.models import Delivery
from integrations.recruitee.tests.conftest import (  # noqa: F401
    fake_recruitee,
    partner_settings,
    recruitee,
)
from integrations.recruitee.tests.test_recruitee_delivery import report_id
from integrations.recruitee.tests.test_recruitee_delivery import send as recruitee_send
from integrations.teamtailor.tests.conftest import (  # noqa: F401
    fake_teamtailor,
    teamtailor,
    webhook_body,
)
from integrations.teamtailor.tests.test_delivery import receive
from integrations.values import iso_ms
from integrations.workable.tests.conftest import fake_workable, workable  # noqa: F401
from integrations.workable.tests.test_delivery import create as workable_create
from tests import delivery_helpers as helpers
from tests.delivery_helpers import body_of, candidate_completes, receiver_url, send_all_due

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview
S = Interview.Status
STATUS = "/api/greenhouse/test_status"


def test_status(api, interview) -> dict:
    response = api.get(STATUS, {"partner_interview_id": interview.partner_interview_id})
    assert response.status_code == 200, response.content
    return response.json()


test_status.__test__ = False  # a helper, not a test


def patched_statuses(receiver) -> list[str]:
    return [body_of(request)["partner_status"] for request, _ in receiver.log]


# --- Greenhouse -----------------------------------------------------------------------------


def test_greenhouse_reopen_patches_and_test_status_says_sent(receiver, make_interview, api):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({})
    interview = make_interview(receiver_url(receiver))
    interview = lifecycle.interview_expire(interview=interview)
    assert test_status(api, interview)["partner_status"] == "expired"

    reopened = changes.interview_reopen(interview=interview, by=None, reason="ill", days=4)
    deliveries = send_all_due(reopened)

    assert [(d.kind, d.status) for d in deliveries] == [("results_patch", "succeeded")]
    assert patched_statuses(receiver) == ["sent"]
    (request, _) = receiver.log[0]
    body = body_of(request)
    assert body["partner_interview_id"] == interview.partner_interview_id
    assert body["partner_score"] is None and body["partner_profile_url"] is None
    assert test_status(api, reopened) == {"partner_status": "sent", "metadata": {}}


def test_greenhouse_retake_of_a_scored_test_patches_sent_without_the_old_score(
    receiver, make_interview, api
):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({})
    interview = make_interview(receiver_url(receiver), status="submitted")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("70"))
    send_all_due(interview)

    retaken = changes.interview_retake(interview=interview, by=None, reason="r", days=4)
    send_all_due(retaken)

    assert patched_statuses(receiver) == ["complete", "sent"]
    last = body_of(receiver.log[-1][0])
    assert last["partner_score"] is None and "Final Total" not in last["metadata"]
    assert last["report"]["attempt_number"] == 2
    assert last["report"]["attempts"][0]["score"] == 70
    assert retaken.candidate_token not in receiver.log[-1][0].get_data(as_text=True)
    status = test_status(api, retaken)
    assert status["partner_status"] == "sent" and "partner_score" not in status


def test_greenhouse_extend_and_extra_time_send_nothing(receiver, make_interview):
    interview = make_interview(receiver_url(receiver))
    changes.interview_invitation_extend(interview=interview, by=None, reason="r", days=2)
    running = lifecycle.interview_start(interview=interview)
    changes.interview_time_add(interview=running, by=None, reason="r", minutes=5)
    assert not Delivery.objects.filter(interview=interview).exists()


# --- Ashby ----------------------------------------------------------------------------------


def expires_at_field(update: dict) -> dict:
    (field,) = [f for f in update["metadata"] if f["identifier"] == "expires-at"]
    return field


def test_ashby_reopen_sends_invited_with_the_new_expiry(fake_ashby, ashby):
    interview = start(ashby)
    interview = lifecycle.interview_expire(interview=interview)

    reopened = changes.interview_reopen(interview=interview, by=None, reason="r", days=3)
    deliveries = send_all_due(reopened)

    assert {d.status for d in deliveries} == {Delivery.Status.SUCCEEDED}
    assert fake_ashby.rejected == []
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Expired", "Invited"]
    update = fake_ashby.accepted[-1]
    assert update["cancelled_reason"] is None and "assessment_result" not in update
    field = expires_at_field(update)
    assert (field["type"], field["value"]) == ("string", iso_ms(reopened.expires_at))
    timestamps = [u["timestamp"] for u in fake_ashby.accepted]
    assert timestamps == sorted(set(timestamps))


def test_ashby_extended_invitation_sends_the_new_expiry(fake_ashby, ashby):
    interview = start(ashby)

    extended = changes.interview_invitation_extend(interview=interview, by=None, reason="r", days=5)
    send_all_due(extended)

    assert fake_ashby.rejected == []
    assert fake_ashby.statuses(interview.partner_interview_id) == ["Invited"]
    assert expires_at_field(fake_ashby.accepted[-1])["value"] == iso_ms(extended.expires_at)


def test_ashby_retake_sends_invited_and_no_result(fake_ashby, ashby):
    interview = start(ashby)
    candidate_completes(interview)
    interview.refresh_from_db()

    retaken = changes.interview_retake(interview=interview, by=None, reason="r", days=3)
    send_all_due(retaken)

    assert fake_ashby.rejected == []
    statuses = fake_ashby.statuses(interview.partner_interview_id)
    assert statuses == ["Started", "Submitted", "Completed", "Invited"]
    last = fake_ashby.accepted[-1]
    assert "assessment_result" not in last and "assessment_profile_url" not in last
    assert expires_at_field(last)["value"] == iso_ms(retaken.expires_at)


def test_ashby_extra_minutes_send_no_update(fake_ashby, ashby):
    interview = lifecycle.interview_start(interview=start(ashby))
    before = Delivery.objects.filter(interview=interview).count()
    changes.interview_time_add(interview=interview, by=None, reason="r", minutes=10)
    assert Delivery.objects.filter(interview=interview).count() == before


# --- Teamtailor, Recruitee, Workable ------------------------------------------------------------------


def test_teamtailor_reopen_puts_sent_again(fake_teamtailor, teamtailor, webhook_body):
    interview = receive(teamtailor, fake_teamtailor, webhook_body, result_id="r-reopen")
    send_all_due(interview)
    interview = lifecycle.interview_expire(interview=interview)
    # Sent before the reopen: Teamtailor's PUT carries the state at its attempt.
    send_all_due(interview)

    reopened = changes.interview_reopen(interview=interview, by=None, reason="r", days=3)
    send_all_due(reopened)

    assert fake_teamtailor.rejected == []
    assert fake_teamtailor.statuses("r-reopen") == ["sent", "failed", "sent"]


def test_recruitee_reopen_patches_sent_after_canceled(fake_recruitee, recruitee):
    interview = lifecycle.interview_expire(interview=recruitee_send(recruitee, fake_recruitee))

    reopened = changes.interview_reopen(interview=interview, by=None, reason="r", days=3)
    send_all_due(reopened)

    assert fake_recruitee.bodies(report_id(interview)) == [
        {"status": "canceled"},
        {"status": "sent"},
    ]


def test_workable_reopen_puts_pending_after_expired(fake_workable, workable):
    interview = lifecycle.interview_expire(interview=workable_create(workable, fake_workable))

    reopened = changes.interview_reopen(interview=interview, by=None, reason="r", days=3)
    send_all_due(reopened)

    assert fake_workable.statuses("991") == ["pending", "expired", "pending"]
    assert fake_workable.accepted[-1][1] == {"status": "pending"}

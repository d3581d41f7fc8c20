# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Hostile and clumsy input on the candidate endpoints added for issues 16 and 17: the clock,
integrity signals, feedback and the accommodation request. Never a 500; a wrong method is a
405 (no CSRF page: these endpoints carry no cookie authority); a finished test's token says so.
"""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from assessments import candidate_views
from assessments import services as lifecycle
from assessments.interview_changes import interview_retake
from assessments.models import CandidateFeedback, CandidatePolicy, Interview, InterviewEvent
from tests.candidate_factories import page_url, sent_interview  # noqa: F401

pytestmark = pytest.mark.django_db
S = Interview.Status
ENDPOINTS = {
    # suffix: the one method it answers
    "": "get",
    "/clock": "get",
    "/starter": "get",
    "/signals": "post",
    "/accommodation": "post",
    "/feedback": "post",
}


def candidate_client() -> Client:
    # As in production: Django's CSRF check on, no cookie, no session.
    return Client(enforce_csrf_checks=True)


def moment(seconds_ago: float = 30) -> str:
    return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()


def post_signals(interview, signals) -> object:
    return candidate_client().post(
        page_url(interview, "/signals"),
        data=json.dumps({"signals": signals}),
        content_type="application/json",
    )


@pytest.fixture
def contact(org):
    return CandidatePolicy.objects.create(
        organization=org, contact_name="Grace Hopper", contact_email="grace@acme.example"
    )


@pytest.fixture
def started(sent_interview):
    return lifecycle.interview_start(interview=sent_interview())


# --- integrity signals ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "at",
    [
        "2026-02-30T10:00:00+00:00",  # no such day
        "2026-12-04T25:00:00+00:00",  # no such hour
        "2026-01-01T00:00:00+99:00",  # no such offset
    ],
)
def test_a_signal_at_a_moment_that_does_not_exist_is_a_400(started, at):
    signal = {"kind": "away", "id": "a1", "at": at, "seconds": 3, "reason": "hidden"}
    response = post_signals(started, [signal])
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {
        "signals[0].at": ["must be an ISO 8601 time with a time zone"]
    }
    assert not started.events.filter(kind__startswith="signal_").exists()


@pytest.mark.parametrize("reason", [[], {}, ["hidden"], 1, None])
def test_an_away_reason_of_the_wrong_type_is_a_400(started, reason):
    signal = {"kind": "away", "id": "a1", "at": moment(), "seconds": 3, "reason": reason}
    response = post_signals(started, [signal])
    assert response.status_code == 400, response.content
    assert "signals[0].reason" in response.json()["fields"]
    assert not started.events.filter(kind__startswith="signal_").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("size", 10**400), ("size", -(10**400)), ("seconds", 10**400), ("seconds", 1e308)],
)
def test_numbers_beyond_any_column_are_a_400(started, field, value):
    kind = "paste" if field == "size" else "idle"
    signal = {"kind": kind, "id": "n1", "at": moment(), field: value}
    response = post_signals(started, [signal])
    assert response.status_code == 400, response.content
    assert f"signals[0].{field}" in response.json()["fields"]


# --- the clock ---------------------------------------------------------------------------------


def test_the_clock_of_a_test_past_its_deadline_says_it_expired(started):
    Interview.objects.filter(pk=started.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    response = candidate_client().get(page_url(started, "/clock"))
    assert response.status_code == 200
    assert response.json()["status"] == S.EXPIRED
    started.refresh_from_db()
    assert started.status == S.EXPIRED


# --- every endpoint, every state, every method ------------------------------------------------


def _in_state(make, state: str) -> tuple[Interview, str]:
    """(interview, the token to use) in ``state``; "replaced" is a retaken test's old link."""
    interview = make()
    if state == S.SENT:
        return interview, interview.candidate_token
    if state == S.CANCELLED:
        return lifecycle.interview_cancel(interview=interview), interview.candidate_token
    if state == S.EXPIRED:
        return lifecycle.interview_expire(interview=interview), interview.candidate_token
    interview = lifecycle.interview_start(interview=interview)
    if state == S.IN_PROGRESS:
        return interview, interview.candidate_token
    interview = lifecycle.interview_submit(interview=interview)
    if state == S.SUBMITTED:
        return interview, interview.candidate_token
    old = interview.candidate_token
    retaken = interview_retake(interview=interview, by=None, reason="bad wifi", days=3)
    return retaken, old


STATES = [S.SENT, S.IN_PROGRESS, S.SUBMITTED, S.EXPIRED, S.CANCELLED, "replaced"]
BODIES = {
    "/signals": {
        "data": json.dumps({"signals": [{"kind": "idle", "id": "i", "at": "", "seconds": 1}]}),
        "content_type": "application/json",
    },
    "/accommodation": {"data": {"message": "Please, 25% more time."}},
    "/feedback": {"data": {"rating": "4", "comment": "fine"}},
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("suffix", sorted(ENDPOINTS))
def test_every_candidate_endpoint_answers_every_state_and_method_without_a_500(
    sent_interview, contact, suffix, state
):
    interview, token = _in_state(sent_interview, state)
    url = f"/t/{token}{suffix}"
    allowed = ENDPOINTS[suffix]
    client = candidate_client()
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)(
            url, **(BODIES.get(suffix, {}) if method == "post" else {})
        )
        if method != allowed:
            assert response.status_code == 405, (method, url, response.status_code)
            continue
        assert response.status_code < 500, (method, url, response.status_code)
        if state == "replaced":
            # The old link opens nothing of the new attempt.
            assert response.status_code in (404, 410), (method, url, response.status_code)
    if state != S.SENT:
        assert mail.outbox == [] or all("Accommodation" not in m.subject for m in mail.outbox)
    if state not in (S.SUBMITTED,):
        assert not CandidateFeedback.objects.filter(interview=interview).exists()


# --- the accommodation request racing a cancel ------------------------------------------------


def test_an_accommodation_request_racing_a_cancel_shows_the_cancelled_page(
    sent_interview, contact, monkeypatch
):
    interview = sent_interview()
    stale = Interview.objects.get(pk=interview.pk)  # what the view loaded, before the cancel
    lifecycle.interview_cancel(interview=interview)
    monkeypatch.setattr(candidate_views, "_load", lambda token: stale)
    response = candidate_client().post(
        page_url(interview, "/accommodation"), {"message": "Please, 25% more time."}
    )
    assert response.status_code == 410
    assert "cancelled" in response.content.decode()
    assert not InterviewEvent.objects.filter(
        interview=interview, kind="accommodation_requested"
    ).exists()
    assert mail.outbox == []

"""Races with real threads and real database connections: what only an IntegrityError
fallback, a row lock or a conditional update stands between us and a duplicate.

Each test runs its race many times; a Barrier releases both sides at once, each on its own
connection (``transaction=True``: the threads see committed rows only). PostgreSQL (CI) lets
the two transactions truly overlap; SQLite takes its write lock at BEGIN (IMMEDIATE), so
there the same tests check that the serialized order gives the same answers.
"""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from assessments import services as lifecycle
from assessments.models import Answer, Candidate, Interview
from conftest import basic
from integrations.ashby.tests.test_ashby_api import START, start_body
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from tests import delivery_helpers as helpers
from tests.candidate_factories import ada_interview_send
from tests.delivery_helpers import receiver_url

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20
S = Interview.Status


def run_together(*calls):
    """Run each call in its own thread, released together; return their results in order.

    Each thread opens its database connection before the barrier (so connecting does not
    decide who goes first) and closes it at the end (an open one would block the flush)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), []

    def run(index, call):
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            results[index] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    if errors:
        raise errors[0]
    return results


def api_post(raw_key: str, path: str, body: dict):
    # A client per call: the test client keeps per-instance state (cookies, last response).
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(raw_key))
    return client.post(path, body, format="json")


def test_simultaneous_send_test_with_one_url_makes_one_interview(org, send_body):
    for round_number in range(ROUNDS):
        body = send_body(url=f"https://ats.example.com/take_home_tests/race-{round_number}")
        first, second = run_together(
            *[lambda: api_post(org.raw_key, "/api/greenhouse/send_test", body)] * 2
        )

        assert (first.status_code, second.status_code) == (200, 200)
        ids = {first.json()["partner_interview_id"], second.json()["partner_interview_id"]}
        interviews = Interview.objects.filter(organization=org, callback_url=body["url"])
        assert len(ids) == 1
        assert list(interviews.values_list("partner_interview_id", flat=True)) == list(ids)
        # The loser's candidate row was rolled back with its interview.
        assert Candidate.objects.filter(organization=org).count() == round_number + 1


def test_simultaneous_ashby_starts_for_one_application_give_one_200_and_one_409(org):
    for round_number in range(ROUNDS):
        body = start_body(application={"ashby_id": f"app-race-{round_number}", "status": "Active"})
        responses = run_together(*[lambda: api_post(org.raw_key, START, body)] * 2)

        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 409]
        started, refused = sorted(responses, key=lambda response: response.status_code)
        assert started.json()["success"] is True
        assert refused.json()["success"] is False
        assert refused.json()["errors"] == ["already_in_progress"]
        live = Interview.objects.filter(
            organization=org, ats_data__ashby_application_id=f"app-race-{round_number}"
        )
        assert list(live.values_list("partner_interview_id", flat=True)) == [
            started.json()["results"]["assessment_id"]
        ]


@pytest.fixture
def reviewer_client(db):
    user = get_user_model().objects.create_superuser("rita", "rita@example.com", "pw-rita-123")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def in_grace_interview(org, catalog, round_number: int) -> Interview:
    """A started review test past its time limit but inside the submit grace."""
    interview = ada_interview_send(
        org,
        catalog["py-fastapi-review"],
        callback_url=f"https://ats.example.com/take_home_tests/late-{round_number}",
    )
    interview = lifecycle.interview_start(interview=interview)
    Interview.objects.filter(pk=interview.pk).update(
        expires_at=timezone.now() - timedelta(seconds=5)
    )
    return interview


def test_reviewer_score_racing_the_late_submit_is_all_or_nothing(org, catalog, reviewer_client):
    criteria = list(catalog["py-fastapi-review"].criteria.all())
    form = {f"points_{criterion.pk}": "1" for criterion in criteria}
    form.update(attempt="1", scored_at="")  # posted from a page showing the submitted test
    for round_number in range(ROUNDS):
        interview = in_grace_interview(org, catalog, round_number)
        score_url = f"/admin/assessments/interview/{interview.pk}/score/"
        submit_url = f"/t/{interview.candidate_token}/submit"

        scored, submitted = run_together(
            lambda: reviewer_client.post(score_url, form),  # noqa: B023
            lambda: Client().post(submit_url, {"notes": f"late {round_number}"}),  # noqa: B023
        )

        # The late submit is inside the grace: it is always taken, with its answer.
        assert submitted.status_code == 302
        assert Answer.objects.get(interview=interview, key="notes").value == (
            f"late {round_number}"
        )
        interview.refresh_from_db()
        lines = interview.score_lines.count()
        if scored.status_code == 302:
            # The score came after the submit: saved whole, nothing lost.
            assert interview.status == S.COMPLETE
            assert interview.score == Decimal(len(criteria))
            assert interview.scored_by == reviewer_client.user
            assert lines == len(criteria)
            kinds = list(interview.events.values_list("kind", flat=True))
            assert kinds[-2:] == ["submitted", "scored"]
        else:
            # The score came first and was refused, with the reason on the page.
            assert scored.status_code == 400
            assert "in_progress" in scored.content.decode()
            assert interview.status == S.SUBMITTED
            assert (interview.score, interview.scored_by, lines) == (None, None, 0)


def test_page_auto_submit_racing_the_candidates_own_submit_submits_once(org, catalog):
    for round_number in range(ROUNDS):
        interview = in_grace_interview(org, catalog, round_number)
        submit_url = f"/t/{interview.candidate_token}/submit"

        responses = run_together(
            lambda: Client().post(submit_url, {"notes": "auto", "automatic": "1"}),  # noqa: B023
            lambda: Client().post(submit_url, {"notes": "mine"}),  # noqa: B023
        )

        codes = [response.status_code for response in responses]
        assert sorted(codes) == [302, 409]
        winner = ["auto", "mine"][codes.index(302)]
        interview.refresh_from_db()
        assert interview.status == S.SUBMITTED
        assert interview.events.filter(kind="submitted").count() == 1
        # The loser's answers never overwrite what was submitted.
        assert Answer.objects.get(interview=interview, key="notes").value == winner


def test_two_workers_claiming_one_delivery_send_it_once(receiver, make_interview):
    receiver.expect_request("/callback", method="PATCH").respond_with_json({"ok": True})
    for round_number in range(ROUNDS):
        interview = make_interview(receiver_url(receiver), status="submitted")
        lifecycle.interview_score(interview=interview, score=Decimal("82"))
        delivery = Delivery.objects.get(interview=interview)
        requests_before = len(receiver.log)

        attempts = run_together(*[lambda: delivery_attempt(delivery_id=delivery.pk)] * 2)  # noqa: B023

        made = [attempt for attempt in attempts if attempt is not None]
        assert len(made) == 1, f"round {round_number}: {attempts}"
        assert made[0].outcome == DeliveryAttempt.Outcome.SUCCESS
        assert len(receiver.log) - requests_before == 1
        assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempt_count) == (Delivery.Status.SUCCEEDED, 1)

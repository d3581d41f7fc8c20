"""Queries per successful attempt (README: Outbound delivery): a Greenhouse results PATCH
and an Ashby update, each sent to a real HTTPS receiver, within a fixed budget.

Transactional tests, so the count is what a worker runs (no test savepoints). SQLite's
BEGIN IMMEDIATE and COMMIT are logged as statements; PostgreSQL's are not, so they are left
out of the count on every database."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import services as lifecycle
from integrations.ashby.tests.test_ashby_updates import ashby, fake_ashby, send_all_due, start  # noqa: F401
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from tests import delivery_helpers as helpers
from tests.delivery_helpers import body_of, receiver_url

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

MAX_QUERIES = 6

pytestmark = pytest.mark.django_db(transaction=True)


TRANSACTION_CONTROL = {"BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}


class at_most:  # noqa: N801 (used like django_assert_max_num_queries)
    def __init__(self, limit: int):
        self.limit = limit
        self.context = CaptureQueriesContext(connection)

    def __enter__(self):
        self.context.__enter__()
        return self

    def __exit__(self, *exc_info):
        self.context.__exit__(*exc_info)
        if exc_info[0] is None:
            statements = [q["sql"] for q in self.context.captured_queries]
            counted = [sql for sql in statements if sql not in TRANSACTION_CONTROL]
            assert len(counted) <= self.limit, "\n\n".join(counted)


@pytest.fixture(autouse=True)
def _connection_features_known():
    # SQLite checks once per connection whether it has JSON functions; a worker pays that
    # on its first attempt only.
    assert connection.features.supports_json_field


def test_results_patch_attempt_within_budget(receiver, make_interview):
    receiver.expect_request("/callback", method="PATCH").respond_with_data(status=204)
    interview = make_interview(receiver_url(receiver), status="submitted")
    interview = lifecycle.interview_score(interview=interview, score=Decimal("82"))
    delivery = Delivery.objects.get(interview=interview)

    with at_most(MAX_QUERIES):
        attempt = delivery_attempt(delivery_id=delivery.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    ((request, _),) = receiver.log
    body = body_of(request)
    assert body["partner_score"] == 82
    # The report's rows came with the load: the transcript and breakdown are all there.
    assert [e["event"] for e in body["report"]["transcript"]][:2] == ["started", "submitted"]
    assert body["report"]["transcript"][-1]["event"] == "scored"
    assert body == delivery_request_body_rebuilt(delivery)


def delivery_request_body_rebuilt(delivery: Delivery) -> dict:
    """The body built the plain way (every row queried), for comparison."""
    from assessments.models import Interview
    from integrations.greenhouse.payloads import results_patch_payload

    delivery.refresh_from_db()
    body = results_patch_payload(Interview.objects.get(pk=delivery.interview_id))
    return {**delivery.request_body, "report": body["report"]} if body else {}


def test_ashby_update_attempt_within_budget(fake_ashby, ashby):  # noqa: F811
    interview = start(ashby)
    interview = lifecycle.interview_start(interview=interview)
    interview = lifecycle.interview_submit(interview=interview)
    send_all_due(interview)
    lifecycle.interview_score(interview=interview, score=Decimal("87"))
    completed = Delivery.objects.filter(interview=interview).order_by("pk").last()

    with at_most(MAX_QUERIES):
        attempt = delivery_attempt(delivery_id=completed.pk)

    assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS
    assert fake_ashby.rejected == []
    final = fake_ashby.accepted[-1]
    assert final["assessment_result"]["value"] == 87
    assert fake_ashby.statuses(interview.partner_interview_id) == [
        "Started",
        "Submitted",
        "Completed",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_hot_statements_are_prepared_on_postgresql(receiver, make_interview):
    """Planning the ten-table load cost more than running it; after a few attempts on a
    connection PostgreSQL keeps its plan (integrations/delivery/prepared.py), and what is
    sent is still built from the current rows."""
    receiver.expect_request("/callback", method="PATCH").respond_with_data(status=204)
    scores = [Decimal(60 + n) for n in range(7)]
    for score in scores:
        interview = make_interview(receiver_url(receiver), status="submitted")
        interview = lifecycle.interview_score(interview=interview, score=score)
        delivery = Delivery.objects.get(interview=interview)
        with at_most(MAX_QUERIES):
            attempt = delivery_attempt(delivery_id=delivery.pk)
        assert attempt.outcome == DeliveryAttempt.Outcome.SUCCESS

    assert [body_of(request)["partner_score"] for request, _ in receiver.log] == scores
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "delivery_delivery"' in s and "SELECT" in s[:10] for s in prepared)
    assert any(s.startswith('WITH updated AS (UPDATE "delivery_delivery"') for s in prepared)

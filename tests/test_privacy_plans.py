"""The retention purges find due rows through indexes: their cost follows the due rows, not
the history (as tests/test_sweeper_plans.py does for the beat sweepers)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Candidate, Interview
from assessments.privacy import retention
from assessments.privacy.models import PurgeCursor, RetentionClock
from integrations.delivery.models import Delivery
from integrations.privacy import DELIVERY_BODY_CURSOR, delivery_bodies_purge
from tests.test_sweeper_plans import SCAN, plans_of

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's; SQLite has no planner statistics to compare",
    ),
]

ROWS = 3000


@pytest.fixture
def history(org, catalog):
    """ROWS ended interviews whose purges all ran long ago, and as many old deliveries."""
    now = timezone.now()
    test = next(iter(catalog.values()))
    candidate = Candidate.objects.create(
        organization=org, first_name="A", last_name="B", email="a@example.com"
    )
    interviews = Interview.objects.bulk_create(
        Interview(
            organization=org,
            test=test,
            candidate=candidate,
            source="greenhouse",
            status=Interview.Status.COMPLETE,
            sent_at=now - timedelta(days=900),
            expires_at=now - timedelta(days=890),
            status_changed_at=now - timedelta(days=n % 700 + 400),
        )
        for n in range(ROWS)
    )
    RetentionClock.objects.bulk_create(
        RetentionClock(
            interview=interview,
            organization=org,
            ended_at=interview.status_changed_at,
            recording_purged_at=now,
            anonymized_at=now,
        )
        for interview in interviews
    )
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            organization=org,
            kind="results_patch",
            target_url="https://ats.example.com/cb",
            endpoint="https://ats.example.com",
            status=Delivery.Status.SUCCEEDED,
            next_attempt_at=now,
        )
        for _ in range(ROWS)
    )
    PurgeCursor.objects.create(name=DELIVERY_BODY_CURSOR, last_pk=deliveries[-10].pk)
    with connection.cursor() as cursor:
        for model in (RetentionClock, Delivery):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return interviews


def scanned(plan: str) -> list[str]:
    return [match[3] for match in SCAN.findall(plan)]


@pytest.mark.parametrize(
    ("purge", "index"),
    [
        (retention.recordings_purge, "retention_recording_due"),
        (retention.personal_data_anonymize, "retention_anonymize_due"),
    ],
)
def test_purges_read_due_clocks_through_their_partial_index(org, history, purge, index):
    RetentionClock.objects.filter(interview__in=history[:3]).update(
        recording_purged_at=None, anonymized_at=None
    )
    plans = plans_of(lambda: purge(organization=org), "privacy_retentionclock")
    assert index in scanned(plans[0]), plans[0]
    assert "Seq Scan on privacy_retentionclock" not in plans[0], plans[0]


def test_delivery_body_purge_walks_the_primary_key_from_its_cursor(history):
    plans = plans_of(lambda: delivery_bodies_purge(now=timezone.now()), "delivery_delivery")
    assert "delivery_delivery_pkey" in scanned(plans[0]), plans[0]
    assert "Seq Scan on delivery_delivery" not in plans[0], plans[0]

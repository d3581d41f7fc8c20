"""Every beat sweeper finds its due rows through an index, so its cost follows the due rows.

A few thousand rows, nearly all finished (as in a database that has run for a while), a
handful due, then ANALYZE: with these statistics PostgreSQL would read the whole table if no
index matched the sweeper's WHERE clause. Each sweeper runs for real; the statements it sent
are EXPLAINed (EXPLAIN without ANALYZE executes nothing, not even an UPDATE).
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.candidate_services import interviews_expire_overdue
from assessments.models import Candidate, Interview
from assessments.recordings.models import Recording
from assessments.recordings.processing import recordings_sweep
from integrations.delivery.models import Delivery
from integrations.delivery.services import deliveries_sweep
from integrations.models import ErrorReport
from integrations.services import error_reports_purge

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="query plans are PostgreSQL's; SQLite has no planner statistics to compare",
    ),
]

ROWS = 3000
S = Interview.Status
SCAN = re.compile(r"(Index Scan|Index Only Scan|Bitmap Index Scan)( Backward)? (using|on) (\w+)")


@pytest.fixture
def big_history(org, catalog):
    """ROWS finished interviews, each with a delivered result and a processed recording."""
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
            callback_url=f"https://ats.example.com/cb/{n}",
            status=S.COMPLETE if n % 10 else S.EXPIRED,
            sent_at=now - timedelta(days=n % 700 + 8),
            expires_at=now - timedelta(days=n % 700 + 1),
            status_changed_at=now - timedelta(days=n % 700),
        )
        for n in range(ROWS)
    )
    Delivery.objects.bulk_create(
        Delivery(
            organization=org,
            interview=interview,
            kind="results_patch",
            target_url=interview.callback_url,
            endpoint="https://ats.example.com",
            status=Delivery.Status.SUCCEEDED,
            attempt_count=1,
            next_attempt_at=interview.status_changed_at,
        )
        for interview in interviews
    )
    Recording.objects.bulk_create(
        Recording(interview=interview, status=Recording.Status.PROCESSED)
        for interview in interviews
    )
    ErrorReport.objects.bulk_create(
        ErrorReport(organization=org, api_call="list_tests") for _ in range(ROWS)
    )
    with connection.cursor() as cursor:
        for model in (Interview, Delivery, Recording, ErrorReport):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return interviews


def plans_of(sweep, table: str) -> list[str]:
    """EXPLAIN of each statement ``sweep`` sent that reads ``table`` with a WHERE clause."""
    with CaptureQueriesContext(connection) as captured:
        sweep()
    plans = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if f'FROM "{table}"' not in sql and f'UPDATE "{table}"' not in sql or "WHERE" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert plans, f"the sweeper sent no query on {table}"
    return plans


def index_named(model, *fields) -> str:
    return next(index.name for index in model._meta.indexes if tuple(index.fields) == fields)


def assert_uses(plan: str, index: str, table: str) -> None:
    assert index in [match[3] for match in SCAN.findall(plan)], plan
    assert f"Seq Scan on {table}" not in plan, plan


def test_expiry_sweep_reads_live_interviews_through_the_status_deadline_index(big_history):
    overdue = big_history[:5]
    Interview.objects.filter(pk__in=[i.pk for i in overdue]).update(status=S.SENT)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessments_interview")
    [plan, *_] = plans_of(interviews_expire_overdue, "assessments_interview")
    assert_uses(plan, index_named(Interview, "status", "expires_at"), "assessments_interview")
    assert Interview.objects.filter(status=S.EXPIRED, pk__in=[i.pk for i in overdue]).count() == 5


def test_delivery_sweep_reads_due_deliveries_through_the_partial_due_index(big_history):
    later = timezone.now() + timedelta(hours=1)
    Delivery.objects.filter(interview__in=big_history[:3]).update(
        status=Delivery.Status.RETRYING, next_attempt_at=later
    )
    [plan, *_] = plans_of(deliveries_sweep, "delivery_delivery")
    assert_uses(plan, "delivery_due", "delivery_delivery")


def test_recordings_sweep_reads_unfinished_recordings_through_the_status_index(big_history):
    Recording.objects.filter(interview=big_history[0]).update(
        status=Recording.Status.PENDING, enqueued_at=timezone.now()
    )
    plans = plans_of(recordings_sweep, "recordings_recording")
    assert len(plans) == 3  # processing too long, receiving but finished, pending and lost
    for plan in plans:
        assert_uses(plan, index_named(Recording, "status"), "recordings_recording")


def test_error_report_purge_reads_old_reports_through_the_received_at_index(big_history):
    [plan] = plans_of(error_reports_purge, "integrations_errorreport")
    scanned = [match[3] for match in SCAN.findall(plan)]
    assert any("received_at" in name for name in scanned), plan
    assert "Seq Scan on integrations_errorreport" not in plan, plan

"""The request log keeps MARIOHR_REQUEST_LOG_RETENTION_DAYS of calls; beat deletes older rows
oldest first, in bounded batches, reading them through the created_at index."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.request_log.models import PartnerRequest
from integrations.request_log.services import partner_requests_purge
from integrations.request_log.tasks import purge_partner_requests

pytestmark = pytest.mark.django_db


def make_rows(org, ages_in_days):
    now = timezone.now()
    return PartnerRequest.objects.bulk_create(
        PartnerRequest(
            organization=org,
            ats="greenhouse",
            endpoint="greenhouse-test-status",
            method="GET",
            path="/api/greenhouse/test_status",
            status_code=200,
            latency_ms=1.0,
            created_at=now - timedelta(days=age),
        )
        for age in ages_in_days
    )


def test_rows_past_the_retention_are_purged_and_recent_ones_kept(org, settings):
    settings.MARIOHR_REQUEST_LOG_RETENTION_DAYS = 14
    kept = make_rows(org, [0, 13.9])
    make_rows(org, [14.1, 30, 400])
    assert purge_partner_requests() == 3
    assert set(PartnerRequest.objects.values_list("pk", flat=True)) == {row.pk for row in kept}


def test_a_run_deletes_at_most_its_batches_and_the_next_run_goes_on(org, settings):
    settings.MARIOHR_REQUEST_LOG_PURGE_BATCH = 2
    settings.MARIOHR_REQUEST_LOG_PURGE_MAX_BATCHES = 2
    old = make_rows(org, [20, 21, 22, 23, 24])
    with CaptureQueriesContext(connection) as captured:
        assert partner_requests_purge() == 4
    deletes = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 2
    # Oldest first: the newest of the old rows is what is left.
    assert list(PartnerRequest.objects.values_list("pk", flat=True)) == [old[0].pk]
    assert partner_requests_purge() == 1
    assert partner_requests_purge() == 0


def test_the_retention_is_configurable(org, settings):
    settings.MARIOHR_REQUEST_LOG_RETENTION_DAYS = 1
    make_rows(org, [0.5, 2])
    assert partner_requests_purge() == 1


def test_beat_runs_the_purge(settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["purge-partner-requests"]["task"]
        == purge_partner_requests.name
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_purge_reads_old_rows_through_the_created_at_index(org):
    make_rows(org, [i % 10 for i in range(3000)])
    make_rows(org, [20, 21])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE request_log_partnerrequest")
    with CaptureQueriesContext(connection) as captured:
        partner_requests_purge()
    [select] = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")][:1]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + select)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    scans = re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\w+)", plan)
    assert any("created" in name for name in scans), plan
    assert "Seq Scan" not in plan, plan

"""The admin lists of tables that grow with every interview: a fixed number of queries, no
COUNT(*) over the whole table, and PostgreSQL's estimate once a list is too long to count."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Candidate, Interview
from assessments.recordings.models import Recording
from integrations.delivery.models import Delivery
from mariohr import admin_paging

pytestmark = pytest.mark.django_db
S = Interview.Status

LISTS = {
    "interviews": ("/admin/assessments/interview/", "assessments_interview"),
    "interviews filtered": ("/admin/assessments/interview/?status__exact=complete", None),
    "reviewers' queue": ("/admin/assessments/interviewtoreview/", "assessments_interview"),
    "deliveries": ("/admin/delivery/delivery/", "delivery_delivery"),
    "deliveries by kind": ("/admin/delivery/delivery/?kind__exact=results_patch", None),
    "recordings": ("/admin/recordings/recording/", "recordings_recording"),
}


def add_interviews(organization, catalog, count: int, *, start: int = 0) -> None:
    """``count`` interviews, each with its own candidate, a delivery and a recording; every
    other one submitted (in the reviewers' queue), the rest complete."""
    now = timezone.now()
    tests = list(catalog.values())
    for n in range(start, start + count):
        candidate = Candidate.objects.create(
            organization=organization, first_name="C", last_name=str(n), email=f"c{n}@x.test"
        )
        interview = Interview.objects.create(
            organization=organization,
            test=tests[n % len(tests)],
            candidate=candidate,
            source="greenhouse",
            callback_url=f"https://ats.example.com/cb/{n}",
            status=S.SUBMITTED if n % 2 else S.COMPLETE,
            sent_at=now - timedelta(days=n + 2),
            submitted_at=now - timedelta(days=n + 1),
            expires_at=now + timedelta(days=1),
            status_changed_at=now - timedelta(days=n),
        )
        Delivery.objects.create(
            organization=organization,
            interview=interview,
            kind="results_patch",
            target_url=interview.callback_url,
            endpoint="https://ats.example.com",
            status=Delivery.Status.SUCCEEDED,
            next_attempt_at=now,
        )
        Recording.objects.create(interview=interview, status=Recording.Status.PROCESSED)


def captured_get(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    assert b'id="changelist"' in response.content
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("name", LISTS)
def test_changelist_queries_do_not_grow_with_rows(admin_client, org, catalog, name):
    url, _ = LISTS[name]
    add_interviews(org, catalog, 3)
    admin_client.get(url)  # sessions, permissions and content types are cached from here on
    few = captured_get(admin_client, url)
    add_interviews(org, catalog, 12, start=3)
    many = captured_get(admin_client, url)
    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 10, "\n".join(many)


@pytest.mark.parametrize("name", [n for n, (_, table) in LISTS.items() if table])
def test_changelist_never_counts_the_whole_table(admin_client, org, catalog, name):
    url, table = LISTS[name]
    add_interviews(org, catalog, 4)
    queries = captured_get(admin_client, url)
    whole_table = re.compile(rf'^SELECT COUNT\(\*\) AS "__count" FROM "{table}"(?! WHERE)')
    assert not [sql for sql in queries if whole_table.match(sql)], "\n".join(queries)
    capped = f"LIMIT {admin_paging.EXACT_COUNT_LIMIT + 1}"
    assert any(sql.startswith("SELECT COUNT(*)") and capped in sql for sql in queries)


def test_a_short_list_shows_its_exact_count(admin_client, org, catalog):
    add_interviews(org, catalog, 5)
    response = admin_client.get("/admin/assessments/interview/")
    assert response.context["cl"].result_count == 5
    assert response.context["cl"].full_result_count is None  # no second, unfiltered count


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_past_the_limit_the_count_is_postgresqls_estimate(admin_client, org, catalog, monkeypatch):
    add_interviews(org, catalog, 8)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessments_interview")
    monkeypatch.setattr(admin_paging, "EXACT_COUNT_LIMIT", 3)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/assessments/interview/")
    assert response.status_code == 200
    assert any(query["sql"].startswith("EXPLAIN") for query in captured.captured_queries)
    # An estimate: the planner's idea of the table's size, never below what was counted.
    assert response.context["cl"].result_count >= 4
    assert len(response.context["cl"].result_list) == 8


def test_date_drilldown_offers_the_periods_between_first_and_last_row(admin_client, org, catalog):
    add_interviews(org, catalog, 3)
    dates = [datetime(2024, 3, 10), datetime(2024, 11, 2), datetime(2026, 1, 5)]
    for interview, sent_at in zip(Interview.objects.order_by("pk"), dates, strict=True):
        Interview.objects.filter(pk=interview.pk).update(sent_at=sent_at.replace(tzinfo=UTC))
    url = "/admin/assessments/interview/"

    queries = captured_get(admin_client, url)
    years = admin_client.get(url).content.decode()
    months = admin_client.get(f"{url}?sent_at__year=2024").content.decode()

    assert not [sql for sql in queries if "DISTINCT" in sql], "\n".join(queries)
    # 2025 and July 2024 have no interviews but lie between: listed, and open an empty list.
    assert all(f"sent_at__year={year}" in years for year in (2024, 2025, 2026))
    assert all(f"sent_at__month={month}&" in months for month in (3, 7, 11))
    assert "sent_at__month=2&" not in months and "sent_at__month=12&" not in months

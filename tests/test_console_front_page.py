"""The admin says MarioHR, and its front page leads with the day's work: organizations by
health, the reviewers' queue with its oldest submission, failing deliveries and stuck
interviews, each panel only for who may view its model, in a fixed number of cheap queries."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import integrations.health_admin  # noqa: F401  (until integrations/admin.py imports it)
from assessments.models import Candidate, Interview
from integrations import health
from integrations.delivery.models import Delivery

pytestmark = pytest.mark.django_db
S = Interview.Status
PANELS = ["organizations_by_health", "review_queue", "failing_deliveries", "stuck_interviews"]


def front_page(client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def panels_shown(page: str) -> list[str]:
    return re.findall(r'<section class="module console-panel" id="panel-(\w+)"', page)


def staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user(f"u{len(codenames)}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


def add_interviews(organization, catalog, count: int, *, start: int = 0) -> list[Interview]:
    """``count`` interviews, each with a candidate and a delivery: submitted ones waiting for a
    score (the oldest first), sent ones past their expiry, and retrying deliveries."""
    now = timezone.now()
    test = catalog["py-fastapi-review"]
    made = []
    for n in range(start, start + count):
        candidate = Candidate.objects.create(
            organization=organization, first_name="Cand", last_name=f"N{n}", email=f"c{n}@x.test"
        )
        status = S.SUBMITTED if n % 2 else S.SENT
        interview = Interview.objects.create(
            organization=organization,
            test=test,
            candidate=candidate,
            source="greenhouse",
            callback_url=f"https://ats.example.com/cb/{n}",
            status=status,
            sent_at=now - timedelta(days=10),
            submitted_at=now - timedelta(days=5, hours=n) if status == S.SUBMITTED else None,
            expires_at=now - timedelta(hours=1),
            status_changed_at=now - timedelta(days=1),
        )
        Delivery.objects.create(
            organization=organization,
            interview=interview,
            kind="results_patch",
            target_url=interview.callback_url,
            endpoint="https://ats.example.com",
            status=Delivery.Status.RETRYING if n % 3 == 0 else Delivery.Status.SUCCEEDED,
            attempt_count=1,
            next_attempt_at=now,
        )
        made.append(interview)
    return made


def test_the_admin_says_marioHR_not_django(admin_client):
    page = front_page(admin_client)
    assert "Django administration" not in page and "Django site admin" not in page
    assert '<a href="/admin/">MarioHR administration</a>' in page
    assert "<title>MarioHR: today | MarioHR admin</title>" in page
    login = Client().get(reverse("admin:login")).content.decode()
    assert "MarioHR administration" in login and "Django administration" not in login


def test_the_panels_come_first_then_the_app_list(admin_client, org):
    page = front_page(admin_client)
    assert panels_shown(page) == PANELS
    assert page.index('id="panel-stuck_interviews"') < page.index('class="app-assessments')


def test_the_review_panel_shows_the_count_the_oldest_and_links_to_it(admin_client, org, catalog):
    interviews = add_interviews(org, catalog, 6)
    oldest = max(
        (i for i in interviews if i.status == S.SUBMITTED),
        key=lambda i: timezone.now() - i.submitted_at,
    )

    panel = front_page(admin_client).split('id="panel-review_queue"')[1].split("</section>")[0]

    assert "Waiting for a score: <strong>3</strong>" in panel
    assert reverse("admin:assessments_interview_score", args=[oldest.pk]) in panel
    assert f"{oldest.candidate.display_name} · {oldest.test.name}" in panel
    assert "waiting for 5\xa0days, 5\xa0hours" in panel
    assert reverse("admin:assessments_interviewtoreview_changelist") in panel


def test_the_delivery_and_stuck_panels_count_and_link(admin_client, org, catalog):
    add_interviews(org, catalog, 6)
    page = front_page(admin_client)

    deliveries = page.split('id="panel-failing_deliveries"')[1].split("</section>")[0]
    assert "<strong>2</strong> being retried" in deliveries
    assert "/admin/delivery/delivery/?status__exact=retrying" in deliveries
    assert reverse("admin:delivery_failures") in deliveries
    stuck = page.split('id="panel-stuck_interviews"')[1].split("</section>")[0]
    assert "<strong>3</strong> sent, past their expiry" in stuck
    assert "<strong>3</strong> submitted more than 2 days ago" in stuck
    assert "/admin/assessments/interview/?status__exact=sent" in stuck
    organizations = page.split('id="panel-organizations_by_health"')[1].split("</section>")[0]
    health_url = reverse("admin:assessments_organization_health", args=[org.pk])
    assert f'class="health-light health-amber" href="{health_url}">Acme Corp</a>' in organizations


def test_an_empty_front_page_says_nothing_is_waiting(admin_client):
    page = front_page(admin_client)
    assert "Nothing waiting: every submission is scored." in page
    assert "<strong>0</strong> being retried" in page


@pytest.mark.parametrize(
    "codenames, shown",
    [
        ((), []),
        (("view_organization",), ["organizations_by_health"]),
        (("view_interviewtoreview",), ["review_queue"]),
        (("view_delivery",), ["failing_deliveries"]),
        (("view_interview",), ["stuck_interviews"]),
        (("change_delivery", "view_interview"), ["failing_deliveries", "stuck_interviews"]),
    ],
)
def test_each_panel_only_for_who_may_view_its_model(org, codenames, shown):
    assert panels_shown(front_page(staff(*codenames))) == shown


def test_reviewers_see_their_queue(org):
    from django.contrib.auth.models import Group

    from assessments.reviewers import REVIEWER_GROUP

    user = get_user_model().objects.create_user("rev", is_staff=True)
    user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    client = Client()
    client.force_login(user)
    assert "review_queue" in panels_shown(front_page(client))


def captured_front_page(client) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        front_page(client)
    return [query["sql"] for query in captured.captured_queries]


def test_the_front_page_queries_do_not_grow_with_rows(admin_client, org, other_org, catalog):
    add_interviews(org, catalog, 4)
    front_page(admin_client)  # sessions, permissions and content types are cached from here on
    few = captured_front_page(admin_client)
    add_interviews(other_org, catalog, 12, start=4)
    many = captured_front_page(admin_client)

    assert len(many) == len(few), "\n".join(many)
    assert len(many) <= 20, "\n".join(many)


def test_the_front_page_never_counts_a_whole_table(admin_client, org, catalog):
    add_interviews(org, catalog, 4)
    queries = captured_front_page(admin_client)
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    assert counts, "\n".join(queries)
    capped = f"LIMIT {health.COUNT_CAP + 1}"
    assert all(capped in sql for sql in counts), "\n".join(counts)


def test_counts_past_the_cap_are_shown_as_such(admin_client, org, catalog, monkeypatch):
    add_interviews(org, catalog, 6)
    monkeypatch.setattr(health, "COUNT_CAP", 2)
    monkeypatch.setattr(health.capped_count, "__defaults__", (2,))
    monkeypatch.setattr(health.count_shown, "__defaults__", (2,))

    page = front_page(admin_client)

    assert "Waiting for a score: <strong>2+</strong>" in page
    assert "<strong>2+</strong> sent, past their expiry" in page

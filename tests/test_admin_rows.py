"""The large lists' rows (mariohr/admin_rows.py): Django's markup and links, built without a
template render or a URL resolve per row; the date drill-down's bounds read once."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Interview
from tests.test_admin_large_tables import LISTS, add_interviews, captured_get

pytestmark = pytest.mark.django_db
CHANGE_LINK = re.compile(r'<th class="field-[\w_]+"><a href="([^"]+)"')
# The session and its user; the sidebar filters' choices (organizations, tests); the capped
# count; the page's rows (columns joined in); the date drill-down's bounds (one MIN/MAX).
# PostgreSQL adds an EXPLAIN once a list passes EXACT_COUNT_LIMIT rows.
QUERIES = {
    "interviews": 7,
    "interviews filtered": 7,
    "reviewers' queue": 6,
    "deliveries": 6,  # the failing-endpoint banner is cached: the first view fills it
    "deliveries by kind": 6,
    "recordings": 4,
}


@pytest.mark.parametrize("name", LISTS)
def test_changelist_makes_a_fixed_number_of_queries(admin_client, org, catalog, name):
    url, _ = LISTS[name]
    add_interviews(org, catalog, 12)
    admin_client.get(url)  # sessions, permissions, content types and the banner cached

    queries = captured_get(admin_client, url)

    assert len(queries) == QUERIES[name], "\n".join(queries)


def test_action_checkbox_is_djangos_markup(org, catalog):
    add_interviews(org, catalog, 1)
    interview = Interview.objects.select_related("test").get()
    interview.partner_interview_id = 'a<b>&"c'  # escaped in the aria-label, as Django does
    interview_admin = admin.site._registry[Interview]

    fast = interview_admin.action_checkbox(interview)

    assert fast == admin.ModelAdmin.action_checkbox(interview_admin, interview)
    assert "a&lt;b&gt;&amp;&quot;c" in fast


@pytest.mark.parametrize("query", ["", "?status__exact=complete", "?status__exact=complete&o=2"])
def test_row_links_are_djangos_with_the_lists_filters(admin_client, org, catalog, query):
    add_interviews(org, catalog, 4)
    response = admin_client.get(f"/admin/assessments/interview/{query}")
    shown = response.context["cl"].result_list
    context = {"preserved_filters": response.context["preserved_filters"], "opts": Interview._meta}

    links = CHANGE_LINK.findall(response.content.decode())

    expected = [
        add_preserved_filters(
            context, reverse("admin:assessments_interview_change", args=[interview.pk])
        )
        for interview in shown
    ]
    assert [link.replace("&amp;", "&") for link in links] == expected
    assert len(expected) == (4 if not query else 2)
    assert all(("_changelist_filters=status__exact" in link) == bool(query) for link in expected)


def test_date_drilldown_reads_the_lists_bounds_once(admin_client, org, catalog):
    add_interviews(org, catalog, 3)
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get("/admin/assessments/interview/?status__exact=submitted")
    assert response.status_code == 200
    bounds = [
        q["sql"] for q in captured.captured_queries if 'MIN("assessments_interview"' in q["sql"]
    ]
    assert len(bounds) == 1, bounds
    assert "sent_at__year=" in response.content.decode()

# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""The Reviewer group: made by migrate and by setup_reviewer_group, and what it may do."""

from io import StringIO

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.test import Client

from assessments import services as lifecycle
from assessments.models import Interview
from assessments.reviewers import REVIEWER_GROUP, REVIEWER_PERMISSIONS
from tests.candidate_factories import sent_interview  # noqa: F401

S = Interview.Status


def group_permissions() -> set:
    group = Group.objects.get(name=REVIEWER_GROUP)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def submitted(make) -> Interview:
    return lifecycle.interview_submit(interview=lifecycle.interview_start(interview=make()))


@pytest.fixture
def reviewer(db):
    user = get_user_model().objects.create_user("rev", "rev@example.com", "pw-rev-12345")
    call_command("setup_reviewer_group", "--user", "rev", stdout=StringIO())
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_migrate_makes_the_reviewer_group_with_exactly_the_scoring_permissions(db):
    assert group_permissions() == set(REVIEWER_PERMISSIONS)
    assert "assessments.change_interview" not in group_permissions()


def test_setup_reviewer_group_resets_it_and_is_idempotent(db):
    group = Group.objects.get(name=REVIEWER_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_interview"))
    out = StringIO()
    call_command("setup_reviewer_group", stdout=out)
    call_command("setup_reviewer_group", stdout=out)
    assert Group.objects.filter(name=REVIEWER_GROUP).count() == 1
    assert group_permissions() == set(REVIEWER_PERMISSIONS)
    assert "assessments.change_interviewtoreview" in out.getvalue()


def test_setup_reviewer_group_adds_staff_users_and_refuses_unknown_ones(db):
    User = get_user_model()
    user = User.objects.create_user("ann", "ann@example.com")
    with pytest.raises(CommandError, match="No user 'ghost'"):
        call_command("setup_reviewer_group", "--user", "ann", "--user", "ghost")
    assert not user.groups.exists()  # all or nothing
    call_command("setup_reviewer_group", "--user", "ann", stdout=StringIO())
    user = User.objects.get(pk=user.pk)
    assert user.is_staff and user.groups.filter(name=REVIEWER_GROUP).exists()
    assert user.has_perm("assessments.change_interviewtoreview")
    assert not user.has_perm("assessments.change_interview")


def test_a_reviewer_sees_the_queue_with_score_buttons_and_scores(reviewer, sent_interview):
    interview = submitted(sent_interview)
    queue = reviewer.get("/admin/assessments/interviewtoreview/")
    assert queue.status_code == 200
    assert f"/admin/assessments/interview/{interview.pk}/score/" in queue.content.decode()
    url = f"/admin/assessments/interview/{interview.pk}/score/"
    for points in ("2", "4"):
        form = {f"points_{c.pk}": points for c in interview.test.criteria.all()}
        page = reviewer.get(url).context["page"]  # the fields of the page as it is now
        assert reviewer.post(url, {**page, **form}).status_code == 302
    interview.refresh_from_db()
    assert interview.status == S.COMPLETE and interview.scored_by == reviewer.user
    messages = list(
        LogEntry.objects.filter(user=reviewer.user, object_id=str(interview.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )
    assert messages == ["Scored 10/100.", "Corrected the score to 20/100."]


def test_a_reviewer_cannot_reach_keys_deliveries_or_interview_actions(reviewer, sent_interview):
    sent_interview()  # the interview list is not empty
    for url in (
        "/admin/integrations/apikey/",
        "/admin/delivery/delivery/",
        "/admin/delivery/delivery/failures/",
        "/admin/integrations/integrationsettings/",
        "/admin/auth/user/",
    ):
        assert reviewer.get(url).status_code == 403, url
    listing = reviewer.get("/admin/assessments/interview/")
    assert listing.status_code == 200
    assert 'name="action"' not in listing.content.decode()  # no action form at all


def test_view_only_staff_see_the_queue_without_score_buttons(db, sent_interview):
    interview = submitted(sent_interview)
    user = get_user_model().objects.create_user("look", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(user)
    score_url = f"/admin/assessments/interview/{interview.pk}/score/"
    queue = client.get("/admin/assessments/interviewtoreview/").content.decode()
    interviews = client.get("/admin/assessments/interview/").content.decode()
    assert interview.candidate.last_name in queue
    assert score_url not in queue and score_url not in interviews


def test_the_queue_change_page_edits_nothing_even_for_a_superuser(admin_client, sent_interview):
    interview = submitted(sent_interview)
    url = f"/admin/assessments/interviewtoreview/{interview.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    admin_client.post(url, {"status": "complete", "score": "100"})
    interview.refresh_from_db()
    assert interview.status == S.SUBMITTED and interview.score is None

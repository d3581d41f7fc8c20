# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""What the admin must not show to staff who may only look: secret environment values, the
accommodation note on the "To review" pages; the history every action writes; date
drill-downs of the sign-in lockout lists."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from assessments import services as lifecycle
from assessments.admin import EnvironmentFieldForm
from assessments.models import EnvironmentField, Interview
from assessments.reviewers import REVIEWER_GROUP
from tests.candidate_factories import sent_interview  # noqa: F401

MASK = "••• (secret, hidden)"
LOG_ENTRIES = "/admin/admin/logentry/"


def staff(name: str, *codenames: str, group: str | None = None) -> Client:
    user = get_user_model().objects.create_user(name, f"{name}@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    if group:
        user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


def environment_field(test, label: str, value: str, *, is_secret: bool) -> EnvironmentField:
    field = EnvironmentField(test=test, label=label, is_secret=is_secret, position=9)
    field.value = value
    field.save()
    return field


def change_page_html(client, test) -> str:
    response = client.get(reverse("admin:assessments_test_change", args=[test.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- secret environment values on the Test page ----------------------------------------------


@pytest.mark.parametrize(
    "codenames",
    [("view_test", "view_environmentfield"), ("change_test", "view_environmentfield")],
    ids=["view-only", "changes-tests-views-fields"],
)
@pytest.mark.parametrize(
    "label, is_secret", [("DB password", True), ("Sandbox API token", False)], ids=str
)
def test_staff_who_only_view_fields_never_read_a_secret_value(catalog, codenames, label, is_secret):
    test = catalog["py-fastapi-review"]
    environment_field(test, label, "s3cr3t-value-42", is_secret=is_secret)
    environment_field(test, "Region", "eu-west-1", is_secret=False)
    html = change_page_html(staff("vic", *codenames), test)
    assert "s3cr3t-value-42" not in html
    assert MASK in html
    assert "eu-west-1" in html


def test_a_value_whose_label_sounds_secret_is_not_sent_back_and_blank_keeps_it(catalog):
    test = catalog["py-fastapi-review"]
    field = environment_field(test, "Sandbox API token", "tok-123456", is_secret=False)
    changer = staff("cat", "change_test", "view_environmentfield", "change_environmentfield")
    assert "tok-123456" not in change_page_html(changer, test)
    form = EnvironmentFieldForm(
        data={"position": "1", "label": field.label, "value": ""}, instance=field
    )
    assert form.is_valid(), form.errors
    form.save()
    field.refresh_from_db()
    assert (field.position, field.value) == (1, "tok-123456")


def test_staff_who_change_fields_still_edit_plain_values(catalog):
    test = catalog["py-fastapi-review"]
    environment_field(test, "Region", "eu-west-1", is_secret=False)
    environment_field(test, "DB password", "s3cr3t-value-42", is_secret=True)
    changer = staff("cat", "change_test", "view_environmentfield", "change_environmentfield")
    html = change_page_html(changer, test)
    assert 'value="eu-west-1"' in html
    assert "s3cr3t-value-42" not in html
    assert MASK not in html


# --- the accommodation note on the "To review" page ------------------------------------------


def test_reviewers_do_not_read_the_accommodation_note_on_the_to_review_page(sent_interview):
    interview = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    Interview.objects.filter(pk=interview.pk).update(
        accommodation_note="ADHD diagnosis", extra_time_percent=25, extra_time_minutes=7
    )
    reviewer = staff("rita", group=REVIEWER_GROUP)
    response = reviewer.get(f"/admin/assessments/interviewtoreview/{interview.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    assert interview.partner_interview_id in html
    assert "ADHD diagnosis" not in html
    assert "accommodation_note" not in html
    assert "extra_time_percent" not in html and "extra_time_minutes" not in html


# --- the sign-in lockout lists ---------------------------------------------------------------


@pytest.mark.parametrize("model", ["accessattempt", "accesslog", "accessfailurelog"])
@pytest.mark.parametrize(
    "query",
    ["attempt_time__year=9999&attempt_time__month=12", "attempt_time__year=99999999999"],
    ids=["december-9999", "huge-year"],
)
def test_lockout_lists_answer_an_impossible_date_with_the_bad_filter_redirect(db, model, query):
    viewer = staff("ax", f"view_{model}")
    response = viewer.get(f"/admin/axes/{model}/?{query}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("?e=1")


# --- Log entries -----------------------------------------------------------------------------


@pytest.fixture
def logged(db):
    root = get_user_model().objects.create_superuser("root", "root@example.com", None)
    LogEntry.objects.log_actions(root.pk, [root], ADDITION, change_message="Made the root.")
    return LogEntry.objects.get()


def test_superusers_read_the_log_entries(logged):
    root = Client()
    root.force_login(logged.user)
    assert "Log entries" in root.get("/admin/").content.decode()
    listed = root.get(LOG_ENTRIES, {"q": "root", "action_flag__exact": ADDITION})
    assert listed.status_code == 200
    assert "Made the root." in listed.content.decode()
    assert root.get(f"{LOG_ENTRIES}{logged.pk}/change/").status_code == 200


@pytest.mark.parametrize(
    "who, sees",
    [("view_logentry", 200), ("view_interview", 403), (REVIEWER_GROUP, 403)],
)
def test_who_may_read_the_log_entries(logged, who, sees):
    client = staff("sam", group=who) if who == REVIEWER_GROUP else staff("sam", who)
    assert client.get(LOG_ENTRIES).status_code == sees
    assert client.get(f"{LOG_ENTRIES}{logged.pk}/change/").status_code == sees
    assert ("Log entries" in client.get("/admin/").content.decode()) == (sees == 200)


def test_nobody_adds_changes_or_deletes_a_log_entry(logged):
    root = Client()
    root.force_login(logged.user)
    granted = staff("sam", "view_logentry", "add_logentry", "change_logentry", "delete_logentry")
    for client in (root, granted):
        assert client.get(f"{LOG_ENTRIES}add/").status_code == 403
        assert client.get(f"{LOG_ENTRIES}{logged.pk}/delete/").status_code == 403
        posted = client.post(f"{LOG_ENTRIES}{logged.pk}/change/", {"change_message": "x"})
        assert posted.status_code == 403
    logged.refresh_from_db()
    assert logged.change_message == "Made the root."

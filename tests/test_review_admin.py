# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Review of the admin pieces added for issues 15-17: what a staff user may set or see
beyond the permission matrix (tests/test_admin_permissions.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import CandidatePolicy
from assessments.policy_admin import RETENTION_DAYS_MAX
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_submit_results
from integrations.models import ApiKey
from tests.candidate_factories import sent_interview  # noqa: F401
from tests.test_reminders import policy_post

pytestmark = pytest.mark.django_db
PREFIX = "candidate_policy-"


def staff_with(*codenames: str):
    user = get_user_model().objects.create_user(
        "-".join(codenames) or "nobody", "staff@example.com", is_staff=True
    )
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


# --- the candidate policy's retention periods ---------------------------------------------------


@pytest.mark.parametrize("field", ["recording_retention_days", "personal_data_retention_days"])
@pytest.mark.parametrize("days", ["1000000", "2147483647"])
def test_a_retention_period_no_date_can_hold_is_refused(org, field, days):
    # "now - 1,000,000 days" is before year 1: stored, it made the hourly purge raise
    # OverflowError for every organization and the report of each ended interview a 500.
    client = staff_with("view_organization", "change_organization", "change_candidatepolicy")
    url = reverse("admin:assessments_organization_change", args=[org.pk])
    response = client.post(url, policy_post(org, **{field: days}))
    assert response.status_code == 200
    assert f"less than or equal to {RETENTION_DAYS_MAX}" in response.content.decode()
    assert not CandidatePolicy.objects.exists()


def test_the_longest_retention_period_allowed_is_stored(org):
    client = staff_with("view_organization", "change_organization", "change_candidatepolicy")
    url = reverse("admin:assessments_organization_change", args=[org.pk])
    days = str(RETENTION_DAYS_MAX)
    response = client.post(
        url, policy_post(org, recording_retention_days=days, personal_data_retention_days=days)
    )
    assert response.status_code == 302, response.content
    policy = CandidatePolicy.objects.get(organization=org)
    assert policy.recording_retention_days == policy.personal_data_retention_days == int(days)


# --- the integration health page ------------------------------------------------------------


@pytest.fixture
def failing(org, sent_interview):
    """An organization whose results delivery failed, with the ATS's answer kept."""
    interview = lifecycle.interview_submit(
        interview=lifecycle.interview_start(interview=sent_interview())
    )
    delivery = delivery_submit_results(interview=interview)
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        attempted_at=timezone.now(),
        status_code=401,
        outcome=DeliveryAttempt.Outcome.FAILED,
        error="HTTP 401.",
        response_excerpt="invalid token for account 4711-secret-tenant",
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, attempt_count=1, last_error="HTTP 401.", last_status_code=401
    )
    delivery.refresh_from_db()
    return delivery


def test_the_health_page_shows_deliveries_and_keys_only_to_who_may_view_them(org, failing):
    url = reverse("admin:assessments_organization_health", args=[org.pk])
    page = staff_with("view_organization").get(url)
    assert page.status_code == 200
    content = page.content.decode()
    key = ApiKey.objects.get(organization=org)
    assert "4711-secret-tenant" not in content  # the ATS's answer (a delivery attempt)
    assert failing.endpoint not in content  # the failing endpoint (a delivery)
    assert key.prefix not in content  # the API keys
    # Who may view deliveries and keys sees them there.
    full = staff_with("view_organization", "view_delivery", "view_apikey").get(url)
    assert "4711-secret-tenant" in full.content.decode()
    assert key.prefix in full.content.decode()


# --- the candidate feedback list ------------------------------------------------------------


@pytest.mark.parametrize("organization", ["\u00b2", "\u0661", "99999999999999999999", "-1"])
def test_the_feedback_list_takes_any_organization_filter_without_a_500(org, organization):
    client = staff_with("view_candidatefeedback")
    url = reverse("admin:assessments_candidatefeedback_changelist")
    response = client.get(url, {"interview__organization__id__exact": organization})
    # The list itself, or Django's "invalid filter" redirect (?e=1).
    assert response.status_code in (200, 302)


# --- the erase and export commands' candidate lookup -----------------------------------------


@pytest.mark.parametrize("command", ["candidate_erase", "candidate_export"])
@pytest.mark.parametrize("identifier", ["\u00b2", "99999999999999999999", "nobody@example.com"])
def test_a_candidate_that_is_no_candidate_is_a_command_error(org, tmp_path, command, identifier):
    options = {"organization": org.slug}
    options.update(
        {"by": "dpo"} if command == "candidate_erase" else {"output": str(tmp_path / "x.zip")}
    )
    with pytest.raises(CommandError, match="No candidate"):
        call_command(command, identifier, **options)

"""Operators' tools: the admin views and actions, and the same operations as commands."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.credentials import webhook_secret_get
from integrations.delivery.models import Delivery, DeliveryAttempt
from integrations.delivery.services import delivery_attempt
from integrations.delivery.transport import signature
from integrations.greenhouse.credentials import outbound_credentials_get, outbound_credentials_set
from integrations.greenhouse.models import GreenhouseSettings
from integrations.models import IntegrationSettings
from tests import delivery_helpers as helpers
from tests.delivery_helpers import receiver_url

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

CHANGELIST = "/admin/delivery/delivery/"


@pytest.fixture
def failed_delivery(make_interview, receiver, settings):
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0]
    receiver.expect_request("/callback").respond_with_data("nope", status=500)
    interview = make_interview(receiver_url(receiver), status="submitted")
    lifecycle.interview_score(interview=interview, score=Decimal("12"))
    delivery = Delivery.objects.get(interview=interview)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    return delivery


def test_delivery_changelist_and_detail_show_attempts(admin_client, failed_delivery):
    listing = admin_client.get(CHANGELIST, {"status__exact": "failed"})
    detail = admin_client.get(f"{CHANGELIST}{failed_delivery.pk}/change/")

    assert listing.status_code == 200
    assert failed_delivery.webhook_id in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "HTTP 500." in page and "nope" in page
    assert "Recent failures by organization" in listing.content.decode()


def test_retry_now_and_replay_actions(admin_client, failed_delivery):
    admin_client.post(CHANGELIST, {"action": "retry_now", "_selected_action": [failed_delivery.pk]})
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == Delivery.Status.RETRYING

    admin_client.post(CHANGELIST, {"action": "replay", "_selected_action": [failed_delivery.pk]})
    replay = Delivery.objects.get(replay_of=failed_delivery)
    assert replay.status == Delivery.Status.PENDING
    assert replay.webhook_id != failed_delivery.webhook_id


def test_an_endpoint_failing_for_five_days_is_flagged(admin_client, failed_delivery):
    DeliveryAttempt.objects.filter(delivery=failed_delivery).update(
        attempted_at=timezone.now() - timedelta(days=6)
    )

    listing = admin_client.get(CHANGELIST)
    failures = admin_client.get(f"{CHANGELIST}failures/")

    assert "has been failing since" in listing.content.decode()
    page = failures.content.decode()
    assert failures.status_code == 200
    assert failed_delivery.organization.name in page
    assert "flagged" in page and failed_delivery.webhook_id in page


def test_a_recent_success_clears_the_flag(admin_client, failed_delivery):
    DeliveryAttempt.objects.filter(delivery=failed_delivery).update(
        attempted_at=timezone.now() - timedelta(days=6)
    )
    DeliveryAttempt.objects.create(
        delivery=failed_delivery,
        number=2,
        attempted_at=timezone.now(),
        outcome=DeliveryAttempt.Outcome.SUCCESS,
        status_code=200,
    )
    assert "has been failing since" not in admin_client.get(CHANGELIST).content.decode()


def test_interview_admin_lists_deliveries_and_submits_results(
    admin_client, make_interview, receiver
):
    interview = make_interview(receiver_url(receiver), status="in_progress")
    url = "/admin/assessments/interview/"

    admin_client.post(url, {"action": "submit_results", "_selected_action": [interview.pk]})
    delivery = Delivery.objects.get(interview=interview)
    page = admin_client.get(f"{url}{interview.pk}/change/").content.decode()
    admin_client.post(url, {"action": "resend_results", "_selected_action": [interview.pk]})

    assert delivery.event["status"] == "in_progress"
    assert delivery.webhook_id in page
    assert Delivery.objects.get(replay_of=delivery).interview == interview


def test_greenhouse_settings_admin_stores_the_password_encrypted(admin_client, org):
    response = admin_client.post(
        "/admin/greenhouse/greenhousesettings/add/",
        {"organization": org.pk, "username": "partner-user", "password": "hunter2-secret"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = GreenhouseSettings.objects.get(organization=org)
    stored = [str(getattr(row, field.attname)) for field in row._meta.concrete_fields]
    assert not any("hunter2-secret" in value or "partner-user" in value for value in stored)
    assert outbound_credentials_get(organization=org) == ("partner-user", "hunter2-secret")
    page = admin_client.get(f"/admin/greenhouse/greenhousesettings/{row.pk}/change/")
    body = page.content.decode()
    assert "hunter2-secret" not in body
    assert "partner-user" not in body  # it may be the customer's API key
    listing = admin_client.get("/admin/greenhouse/greenhousesettings/").content.decode()
    assert "partner-user" not in listing


def test_integration_settings_admin_shows_the_signing_secret(admin_client, org):
    response = admin_client.post(
        "/admin/integrations/integrationsettings/add/", {"organization": org.pk}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = IntegrationSettings.objects.get(organization=org)
    page = admin_client.get(f"/admin/integrations/integrationsettings/{row.pk}/change/")
    assert webhook_secret_get(organization=org) in page.content.decode()


def test_greenhouse_settings_admin_keeps_or_clears_the_outbound_credentials(admin_client, org):
    outbound_credentials_set(organization=org, username="ats-key-123", password="")
    row = GreenhouseSettings.objects.get(organization=org)
    url = f"/admin/greenhouse/greenhousesettings/{row.pk}/change/"
    form = {}

    assert admin_client.post(url, form).status_code == 302
    assert outbound_credentials_get(organization=org) == ("ats-key-123", "")

    assert admin_client.post(url, {**form, "password": "pw-2"}).status_code == 302
    assert outbound_credentials_get(organization=org) == ("ats-key-123", "pw-2")

    assert admin_client.post(url, {**form, "clear_password": "on"}).status_code == 302
    assert outbound_credentials_get(organization=org) == ("ats-key-123", "")

    assert admin_client.post(url, {**form, "clear_username": "on"}).status_code == 302
    assert outbound_credentials_get(organization=org) is None


def test_set_outbound_credentials_command(org):
    out = StringIO()
    call_command("set_outbound_credentials", "acme", "--username", "key-abc", stdout=out)
    assert outbound_credentials_get(organization=org) == ("key-abc", "")
    call_command(
        "set_outbound_credentials", "acme", "--username", "u", "--password", "pw-zz9", stdout=out
    )
    assert outbound_credentials_get(organization=org) == ("u", "pw-zz9")
    assert "pw-zz9" not in out.getvalue()
    with pytest.raises(CommandError, match="No organization"):
        call_command("set_outbound_credentials", "nobody", "--username", "u")


def test_webhook_secret_command_prints_a_usable_secret_on_the_last_line(org):
    out = StringIO()
    call_command("webhook_secret", "acme", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]

    assert secret == webhook_secret_get(organization=org)
    assert secret.startswith("whsec_")
    assert signature(secret=secret, webhook_id="msg_1", timestamp=1, body=b"{}").startswith("v1,")
    rotated = StringIO()
    call_command("webhook_secret", "acme", "--rotate", stdout=rotated, stderr=StringIO())
    assert rotated.getvalue().strip().splitlines()[-1] != secret


def test_submit_results_command_queues_like_the_admin(make_interview, receiver):
    interview = make_interview(receiver_url(receiver), status="submitted")
    out = StringIO()

    Interview.objects.filter(pk=interview.pk).update(partner_interview_id="-starts-with-dash")
    interview.refresh_from_db()
    call_command("submit_results", "--", interview.partner_interview_id, stdout=out)

    delivery = Delivery.objects.get(interview=interview)
    assert delivery.kind == "results_patch"
    assert delivery.event == {**delivery.event, "trigger": "submit_results", "status": "submitted"}
    assert delivery.webhook_id in out.getvalue()
    with pytest.raises(CommandError, match="No interview"):
        call_command("submit_results", "missing")
    no_callback = Interview.objects.filter(pk=interview.pk)
    no_callback.update(callback_url="")
    with pytest.raises(CommandError, match="no callback URL"):
        call_command("submit_results", "--", interview.partner_interview_id)

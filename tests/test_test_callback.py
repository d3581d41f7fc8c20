"""The admin's "Send a test callback": a sample results call through the real transport
(SSRF guard, credentials, signature) to a real HTTPS receiver, judged by the engine's rules,
stored nowhere but the admin log."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.utils import timezone
from werkzeug import Response

from integrations import plugins
from integrations.ashby.models import AshbySettings
from integrations.credentials import integration_settings_get
from integrations.crypto import encrypt
from integrations.delivery import kinds
from integrations.delivery.models import Delivery
from integrations.delivery.services import endpoint_of
from integrations.greenhouse.credentials import outbound_credentials_set
from integrations.plugins import SAMPLE_NOTE, SAMPLE_PARTNER_INTERVIEW_ID
from integrations.recruitee.services import recruitee_settings_set
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import receiver_url as receiver_url_of
from integrations.sandbox.services import sandbox_twin_create
from integrations.teamtailor.services import teamtailor_settings_set
from integrations.workable.credentials import workable_settings_update
from tests import delivery_helpers as helpers
from tests.delivery_helpers import basic_credentials, body_of, receiver_url, signature_valid

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org = helpers.outbound_org


def page_url(organization) -> str:
    settings_row = integration_settings_get(organization=organization)
    return f"/admin/integrations/integrationsettings/{settings_row.pk}/test-callback/"


def send(client, organization, ats: str, url: str):
    return client.post(page_url(organization), {"ats": ats, "url": url})


def test_settings_page_has_the_test_callback_button(admin_client, outbound_org):
    settings_row = integration_settings_get(organization=outbound_org)
    page = admin_client.get(f"/admin/integrations/integrationsettings/{settings_row.pk}/change/")
    assert page.status_code == 200
    assert page_url(outbound_org) in page.content.decode()
    form = admin_client.get(page_url(outbound_org))
    assert form.status_code == 200
    for ats in plugins.all_ats():
        assert f'value="{ats.ats_name}"' in form.content.decode()


def test_test_callback_sends_a_signed_sample_patch_and_shows_the_answer(
    admin_client, receiver, outbound_org
):
    receiver.expect_request("/callback", method="PATCH").respond_with_response(
        Response('{"ok": true}', status=200, headers={"X-Receiver": "fake-greenhouse"})
    )
    real_delivery_went_to(outbound_org, "results_patch", receiver_url(receiver, "/earlier"))
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))

    assert page.status_code == 200
    ((request, _),) = receiver.log
    assert request.method == "PATCH"
    assert signature_valid(request, outbound_org.webhook_secret)
    assert basic_credentials(request) == ("gh-partner", "s3cret-pass")
    assert request.headers["X-MarioHR-Test-Callback"] == "true"
    body = body_of(request)
    assert body["partner_interview_id"] == SAMPLE_PARTNER_INTERVIEW_ID
    assert body["partner_status"] == "complete"
    assert "test callback" in body["metadata"]["Test callback"].lower()
    result = page.context["result"]
    assert result.sent and result.ok and result.status_code == 200
    assert result.duration_ms is not None
    assert result.headers["X-Receiver"] == "fake-greenhouse"
    assert result.body_excerpt == '{"ok": true}'
    html = page.content.decode()
    assert "delivered" in html and "fake-greenhouse" in html
    # Nothing stored as a result; the admin action is on record.
    assert Delivery.objects.count() == 1  # the earlier real one only
    entry = LogEntry.objects.get()
    assert "test callback" in entry.get_change_message() and "status 200" in entry.change_message


def real_delivery_went_to(organization, kind: str, url: str) -> None:
    Delivery.objects.create(
        organization=organization,
        kind=kind,
        target_url=url,
        endpoint=endpoint_of(url),
        next_attempt_at=timezone.now(),
        status=Delivery.Status.SUCCEEDED,
    )


def test_test_callback_keeps_the_secret_from_an_address_no_delivery_goes_to(
    admin_client, receiver, outbound_org
):
    # Someone who may change the settings cannot use the button to carry the stored
    # password to a host of their choosing: it goes only where real PATCHes already go.
    receiver.expect_request("/callback", method="PATCH").respond_with_data("ok")
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))
    ((request, _),) = receiver.log
    assert "Authorization" not in request.headers
    assert signature_valid(request, outbound_org.webhook_secret)
    result = page.context["result"]
    assert result.sent and "Sent without credentials" in result.meaning


def test_test_callback_explains_a_401_as_wrong_credentials(admin_client, receiver, outbound_org):
    receiver.expect_request("/callback").respond_with_data("nope", status=401)
    page = send(admin_client, outbound_org, "greenhouse", receiver_url(receiver))
    result = page.context["result"]
    assert result.status_code == 401 and not result.ok
    assert "credentials are wrong" in result.meaning
    assert "Greenhouse" in result.meaning


def test_test_callback_refuses_a_private_url_through_the_ssrf_guard(admin_client, outbound_org):
    page = send(admin_client, outbound_org, "greenhouse", "https://10.1.2.3/callback")
    result = page.context["result"]
    assert not result.sent
    assert "SSRF guard" in result.meaning and "private" in result.meaning
    assert LogEntry.objects.get().change_message.endswith("not sent.")


def test_test_callback_uses_the_kinds_own_reading_of_the_answer(
    admin_client, receiver, outbound_org
):
    # Ashby answers 200 with success: false; the kind's interpret_response says it failed.
    AshbySettings.objects.create(
        organization=outbound_org,
        api_key_encrypted=encrypt("ashby-key"),
        base_url=receiver_url(receiver, "/"),
    )
    receiver.expect_request("/assessment.update", method="POST").respond_with_json(
        {"success": False, "errors": ["invalid_input"]}
    )
    page = send(admin_client, outbound_org, "ashby", receiver_url(receiver, "/assessment.update"))
    result = page.context["result"]
    assert result.status_code == 200 and not result.ok
    assert "success: false" in result.meaning
    ((request, _),) = receiver.log
    assert basic_credentials(request) == ("ashby-key", "")
    assert body_of(request)["assessment_id"] == SAMPLE_PARTNER_INTERVIEW_ID


def test_test_callback_without_credentials_is_not_sent(admin_client, receiver, outbound_org):
    page = send(admin_client, outbound_org, "workable", receiver_url(receiver))
    result = page.context["result"]
    assert not result.sent and "No Workable token" in result.meaning
    assert receiver.log == []


def test_test_callback_needs_change_permission(client, outbound_org):
    viewer = User.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_integrationsettings"))
    client.force_login(viewer)
    assert client.get(page_url(outbound_org)).status_code == 403
    assert send(client, outbound_org, "greenhouse", "https://example.com/").status_code == 403
    assert not LogEntry.objects.exists()


def configure(ats: str, organization) -> tuple[str, str]:
    """Set ``ats``'s credentials for the organization; return (an allowed URL, the header or
    auth that must carry them)."""
    if ats == "greenhouse":
        outbound_credentials_set(organization=organization, username="gh", password="pw")
        return "https://app.greenhouse.io/cb", "basic:gh"
    if ats == "ashby":
        AshbySettings.objects.create(organization=organization, api_key_encrypted=encrypt("ak"))
        return "https://api.ashbyhq.com/assessment.update", "basic:ak"
    if ats == "workable":
        workable_settings_update(organization=organization, results_token="wt-token-123456")
        return "https://acme.workable.com/spi/v3/assessments/1", "Bearer wt-token-123456"
    if ats == "recruitee":
        recruitee_settings_set(organization=organization, partner_secret="rt-secret")
        return "https://integrations.recruitee.com/p/mariohr/reports/1", "rt-secret"
    if ats == "teamtailor":
        teamtailor_settings_set(organization=organization, api_key="tt-key")
        return "https://api.teamtailor.com/v1/partner-results/1", "Token tt-key"
    raise AssertionError(f"No credentials known for {ats}: add them here.")


@pytest.mark.django_db
@pytest.mark.parametrize("ats", [ats.ats_name for ats in plugins.all_ats()])
def test_every_ats_builds_a_marked_sample_with_its_credentials(ats, org):
    config = plugins.get(ats)
    assert config.sample_kind in kinds.registered()
    url, credential = configure(ats, org)
    request = config.sample_request(org, url)
    assert isinstance(request, kinds.OutboundRequest) and request.url == url
    body = json.dumps(request.json_body)
    if ats != "recruitee":  # Recruitee's report takes no free text or id of ours
        assert SAMPLE_PARTNER_INTERVIEW_ID in body or SAMPLE_NOTE in body
    if credential.startswith("basic:"):
        assert request.basic_auth[0] == credential.removeprefix("basic:")
    else:
        assert credential in request.headers.values()


@pytest.mark.django_db
@pytest.mark.parametrize("ats", ["workable", "recruitee", "teamtailor"])
def test_credentials_never_go_to_a_host_their_ats_does_not_own(ats, org):
    configure(ats, org)
    with pytest.raises(kinds.CredentialsMissing, match="Not sent"):
        plugins.get(ats).sample_request(org, "https://attacker.example.com/collect")


def test_a_sandbox_test_callback_lands_in_its_receiver(admin_client, org):
    sandbox = sandbox_twin_create(organization=org).sandbox
    form = admin_client.get(page_url(sandbox.organization))
    assert receiver_url_of(sandbox) in form.content.decode()  # offered as the URL

    page = send(admin_client, sandbox.organization, "greenhouse", receiver_url_of(sandbox) + "cb")
    result = page.context["result"]
    assert result.ok and result.status_code == 200
    captured = ReceivedCallback.objects.get(sandbox=sandbox)
    assert captured.signature_verified and captured.webhook_id == result.webhook_id
    assert captured.headers["x-mariohr-test-callback"] == "true"
    assert captured.body["partner_interview_id"] == SAMPLE_PARTNER_INTERVIEW_ID
    assert not Delivery.objects.exists()

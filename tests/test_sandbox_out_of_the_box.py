"""A sandbox twin comes set up for every ATS: each plug-in's sandbox_configure points it at the
twin's own receiver with credentials of the twin's own, creating it again sets up only what
is missing, and Ashby's key (like Greenhouse's, tests/test_sandbox_flow.py) reaches the
receiver only from a sandbox's own settings."""

import pytest
from django.core.management import call_command

from assessments.models import Interview, Organization
from integrations.ashby.models import AshbySettings
from integrations.ashby.services import ashby_credentials_set
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.crypto import decrypt
from integrations.delivery.models import Delivery
from integrations.delivery.services import delivery_attempt
from integrations.greenhouse.models import GreenhouseSettings
from integrations.models import ApiKey
from integrations.recruitee.models import RecruiteeSettings
from integrations.recruitee.services import recruitee_settings_set
from integrations.sandbox.models import ReceivedCallback, Sandbox
from integrations.sandbox.receiver import receiver_url
from integrations.sandbox.services import sandbox_twin_create
from integrations.ssrf import UnsafeURL
from integrations.teamtailor.models import TeamtailorSettings
from integrations.teamtailor.services import teamtailor_settings_set
from integrations.workable.credentials import workable_results_token
from integrations.workable.models import WorkableSettings
from tests.delivery_helpers import candidate_completes
from tests.test_sandbox_every_ats import basic_client

SETTINGS = [AshbySettings, WorkableSettings, RecruiteeSettings, TeamtailorSettings]


def credentials_of(twin) -> dict:
    ashby = AshbySettings.objects.get(organization=twin)
    recruitee = RecruiteeSettings.objects.get(organization=twin)
    return {
        "ashby": (decrypt(ashby.api_key_encrypted), ashby.base_url),
        "workable": workable_results_token(WorkableSettings.objects.get(organization=twin)),
        "recruitee": (
            recruitee.api_base_url,
            recruitee.codename,
            decrypt(recruitee.partner_secret_encrypted),
        ),
        "teamtailor": decrypt(TeamtailorSettings.objects.get(organization=twin).api_key_encrypted),
    }


def test_the_twin_comes_set_up_for_every_ats(org):
    created = sandbox_twin_create(organization=org)
    twin, callback = created.sandbox.organization, receiver_url(created.sandbox)
    got = credentials_of(twin)
    assert got["ashby"][1] == callback.rstrip("/")
    assert got["recruitee"][:2] == (callback + "api", "mariohr-sandbox")
    assert TeamtailorSettings.objects.get(organization=twin).region == "eu"
    secrets = [got["ashby"][0], got["workable"], got["recruitee"][2], got["teamtailor"]]
    # Credentials of the sandbox's own, each different, none of production's.
    assert all(s.startswith("sandbox-") and len(s) > 30 for s in secrets)
    assert len(set(secrets)) == 4
    assert len(created.configured) == 4 and all(created.configured)
    # Greenhouse needs nothing (send_test names the URL); production got no rows at all.
    assert not GreenhouseSettings.objects.exists()
    assert not any(model.objects.filter(organization=org).exists() for model in SETTINGS)


def test_creating_it_again_creates_nothing_and_keeps_what_was_set(org):
    first = sandbox_twin_create(organization=org)
    twin = first.sandbox.organization
    recruitee_settings_set(organization=twin, codename="my-own-codename")
    teamtailor_settings_set(organization=twin, api_key="")  # cleared by the developer
    before = credentials_of(twin)
    counts = (Organization.objects.count(), ApiKey.objects.count(), Sandbox.objects.count())

    again = sandbox_twin_create(organization=org)

    assert again.sandbox == first.sandbox and again.raw_key is None and not again.created
    assert (Organization.objects.count(), ApiKey.objects.count(), Sandbox.objects.count()) == (
        counts
    )
    assert all(model.objects.filter(organization=twin).count() == 1 for model in SETTINGS)
    after = credentials_of(twin)
    assert after["recruitee"][1] == "my-own-codename"
    # Only the missing key was set up again.
    assert {k: v for k, v in after.items() if k != "teamtailor"} == {
        k: v for k, v in before.items() if k != "teamtailor"
    }
    assert after["teamtailor"].startswith("sandbox-")
    assert again.configured == [
        "Teamtailor: results go to the update-url given, with a key of the sandbox's."
    ]
    assert sandbox_twin_create(organization=org).configured == []


def test_a_twin_pointed_elsewhere_on_purpose_stays_so(org):
    created = sandbox_twin_create(organization=org)
    twin = created.sandbox.organization
    ashby_credentials_set(
        organization=twin, api_key="vendor-sandbox-key", base_url="https://sandbox.ashbyhq.com"
    )
    sandbox_twin_create(organization=org)
    row = AshbySettings.objects.get(organization=twin)
    assert (decrypt(row.api_key_encrypted), row.base_url) == (
        "vendor-sandbox-key",
        "https://sandbox.ashbyhq.com",
    )


def test_the_command_run_again_sets_up_only_what_is_missing(org, capsys):
    call_command("create_sandbox", "acme")
    first = capsys.readouterr().out
    assert "API key (shown once): " in first and "Workable: results go to" in first
    WorkableSettings.objects.filter(organization__slug="acme-sandbox").delete()
    call_command("create_sandbox", "acme")
    again = capsys.readouterr().out
    assert "exists already: no new API key" in again and "shown once" not in again
    assert "Workable: results go to" in again and "Ashby" not in again
    assert workable_results_token(WorkableSettings.objects.get(organization__slug="acme-sandbox"))


def test_the_admin_action_run_again_says_what_it_set_up(admin_client, org):
    changelist = "/admin/assessments/organization/"
    action = {"action": "create_sandbox_twin", "_selected_action": [org.pk]}
    first = admin_client.post(changelist, action, follow=True).content.decode()
    assert "API key: " in first and "Recruitee: reports go to the receiver" in first
    RecruiteeSettings.objects.filter(organization__slug="acme-sandbox").delete()
    again = admin_client.post(changelist, action, follow=True).content.decode()
    assert "exists already; no new API key" in again and "API key: " not in again
    assert "Recruitee: reports go to the receiver" in again
    assert RecruiteeSettings.objects.filter(organization__slug="acme-sandbox").exists()


# --- Ashby: its key reaches the receiver only from a sandbox's own settings ------------------


def test_a_production_organization_cannot_set_the_receiver_as_its_ashby_base(org, admin_client):
    other = sandbox_twin_create(organization=org)
    base = receiver_url(other.sandbox)
    with pytest.raises(UnsafeURL, match="only a sandbox organization"):
        ashby_credentials_set(organization=org, api_key="prod-key", base_url=base)
    page = admin_client.post(
        "/admin/ashby/ashbysettings/add/",
        {"organization": org.pk, "api_key": "prod-key", "base_url": base},
    )
    assert page.status_code == 200
    assert "The Ashby base URL is MarioHR&#x27;s sandbox receiver" in page.content.decode()
    assert not AshbySettings.objects.filter(organization=org).exists()


def test_a_sandbox_cannot_set_another_sandboxs_receiver_as_its_ashby_base(org, make_org):
    twin = sandbox_twin_create(organization=org).sandbox.organization
    other = sandbox_twin_create(organization=make_org("globex"))
    with pytest.raises(UnsafeURL, match="not this sandbox's own receiver"):
        ashby_credentials_set(organization=twin, api_key="k", base_url=receiver_url(other.sandbox))


def test_a_production_ashby_update_changed_to_the_receiver_is_not_sent(
    org, django_capture_on_commit_callbacks, settings
):
    settings.MARIOHR_DELIVERY_QUEUE = "nobody-consumes-this"
    sandbox = sandbox_twin_create(organization=org).sandbox
    ashby_credentials_set(organization=org, api_key="prod-ashby-key")
    answer = basic_client(org.raw_key).post(
        "/api/ashby/assessment.start", start_body(), format="json"
    )
    assert answer.status_code == 200, answer.content
    interview = Interview.objects.get(organization=org)
    with django_capture_on_commit_callbacks(execute=False):
        candidate_completes(interview)
    # Behind the admin's back: the row now points at a sandbox's receiver.
    AshbySettings.objects.filter(organization=org).update(
        base_url=receiver_url(sandbox).rstrip("/")
    )
    deliveries = list(Delivery.objects.filter(interview=interview).order_by("pk"))
    for delivery in deliveries:  # the later ones wait behind the first (Ashby's order)
        delivery_attempt(delivery_id=delivery.pk)
    first = Delivery.objects.get(pk=deliveries[0].pk)
    assert first.credentials_problem and first.attempt_count == 1
    assert "only a sandbox organization's callbacks go there" in first.last_error
    assert not Delivery.objects.filter(status=Delivery.Status.SUCCEEDED).exists()
    assert not ReceivedCallback.objects.exists()

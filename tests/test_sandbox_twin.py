"""Sandbox twins: `<slug>-sandbox` with the same tests, its own key and secret, from the
organization list's admin action or the management command."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command

from integrations.credentials import webhook_secret_get
from integrations.sandbox.models import Sandbox
from integrations.sandbox.receiver import RECEIVER_ORIGIN
from integrations.sandbox.services import is_sandbox

ORG_CHANGELIST = "/admin/assessments/organization/"


def create_twin(admin_client, organization):
    return admin_client.post(
        ORG_CHANGELIST,
        {"action": "create_sandbox_twin", "_selected_action": [organization.pk]},
        follow=True,
    )


def test_admin_action_creates_the_sandbox_twin(admin_client, org, client_for):
    org.enabled_tests.remove(org.enabled_tests.first())
    page = create_twin(admin_client, org)

    sandbox = Sandbox.objects.select_related("organization").get(twin_of=org)
    twin = sandbox.organization
    assert twin.slug == "acme-sandbox" and is_sandbox(twin) and not is_sandbox(org)
    assert set(twin.enabled_tests.all()) == set(org.enabled_tests.all())
    assert webhook_secret_get(organization=twin) != webhook_secret_get(organization=org)
    (message,) = [str(m) for m in get_messages(page.wsgi_request)]
    raw_key = message.split("API key: ")[1].split(" ")[0]
    assert f"{RECEIVER_ORIGIN}/{sandbox.receiver_token}/" in message
    # The key is the twin's own: it lists the twin's tests, and the production key is not it.
    listed = client_for(raw_key=raw_key).get("/api/greenhouse/list_tests")
    assert listed.status_code == 200
    assert {t["partner_test_id"] for t in listed.json()} == {
        t.partner_test_id for t in twin.enabled_tests.all()
    }
    assert raw_key != org.raw_key
    assert LogEntry.objects.filter(object_id=str(twin.pk), action_flag=ADDITION).exists()


def test_a_second_twin_is_not_created(admin_client, org):
    create_twin(admin_client, org)
    page = create_twin(admin_client, org)
    assert "exists already" in " ".join(str(m) for m in get_messages(page.wsgi_request))
    assert Sandbox.objects.count() == 1


def test_a_taken_slug_that_is_no_twin_is_refused(admin_client, org, make_org):
    make_org("acme-sandbox")
    page = create_twin(admin_client, org)
    message = " ".join(str(m) for m in get_messages(page.wsgi_request))
    assert "exists already and is not this organization's sandbox twin" in message
    assert not Sandbox.objects.exists()


def test_a_sandbox_has_no_twin_of_its_own(admin_client, org):
    create_twin(admin_client, org)
    twin = Sandbox.objects.get().organization
    page = create_twin(admin_client, twin)
    assert "is a sandbox already" in " ".join(str(m) for m in get_messages(page.wsgi_request))


def test_management_command_creates_the_twin(org, capsys, client_for):
    call_command("create_sandbox", "acme")
    out = capsys.readouterr().out
    raw_key = out.split("API key (shown once): ")[1].split()[0]
    twin = Sandbox.objects.get(twin_of=org).organization
    assert "Sandbox organization: acme-sandbox" in out
    assert webhook_secret_get(organization=twin) in out
    api = client_for(raw_key=raw_key)
    assert api.get("/api/greenhouse/list_tests").status_code == 200
    call_command("create_sandbox", "acme")  # again: no second twin, no new key
    assert "exists already" in capsys.readouterr().out and Sandbox.objects.count() == 1
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_sandbox", "nope")


def test_the_action_needs_change_permission_on_organizations(client, org, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client.force_login(viewer)
    page = client.get(ORG_CHANGELIST)
    assert page.status_code == 200
    assert "create_sandbox_twin" not in page.content.decode()
    refused = create_twin(client, org)
    assert refused.status_code in (200, 403) and not Sandbox.objects.exists()
    viewer.user_permissions.add(Permission.objects.get(codename="change_organization"))
    create_twin(client, org)
    assert Sandbox.objects.get().twin_of == org

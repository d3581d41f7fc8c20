"""The Workable settings in the admin: a write-only token stored encrypted, a domain the SSRF
guard accepts, and nothing secret for staff who may only view."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from assessments.crypto import decrypt
from integrations.workable.credentials import workable_settings_update
from integrations.workable.models import WorkableSettings

ADD = "/admin/workable/workablesettings/add/"
TOKEN = "wk-secret-token-4f1c"


def change_url(settings_row) -> str:
    return f"/admin/workable/workablesettings/{settings_row.pk}/change/"


def form(org, **overrides) -> dict:
    data = {
        "organization": org.pk,
        "callback_domain": "workable.com",
        "pass_percent": 50,
        "excel_percent": 85,
        "results_token": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def viewer(db, django_user_model):
    """Staff who may view the Workable settings and nothing more."""
    user = django_user_model.objects.create_user("viewer", "viewer@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_workablesettings"))
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_sets_the_token_and_it_is_stored_encrypted(admin_client, org):
    response = admin_client.post(ADD, form(org, results_token=TOKEN))
    assert response.status_code == 302, response.content.decode()[:2000]
    settings_row = WorkableSettings.objects.get(organization=org)
    assert TOKEN not in settings_row.results_token_encrypted
    assert decrypt(settings_row.results_token_encrypted) == TOKEN
    page = admin_client.get(change_url(settings_row)).content.decode()
    assert TOKEN not in page and settings_row.results_token_encrypted not in page
    assert 'name="results_token"' in page


def test_saving_without_a_token_keeps_it_and_clear_removes_it(admin_client, org):
    settings_row = workable_settings_update(organization=org, results_token=TOKEN)
    kept = admin_client.post(change_url(settings_row), form(org, pass_percent=60))
    assert kept.status_code == 302
    settings_row.refresh_from_db()
    assert decrypt(settings_row.results_token_encrypted) == TOKEN
    assert settings_row.pass_percent == 60
    admin_client.post(change_url(settings_row), form(org, clear_results_token="on"))
    settings_row.refresh_from_db()
    assert settings_row.results_token_encrypted == ""


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"callback_domain": "10.0.0.5"}, "callback domain"),
        ({"callback_domain": "localhost"}, "localhost"),
        ({"callback_domain": "https://acme.workable.com/x"}, "domain name"),
        ({"results_token": "two words"}, "one word"),
        ({"pass_percent": 90, "excel_percent": 80}, "pass %"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(admin_client, org, overrides, field_error):
    response = admin_client.post(ADD, form(org, **overrides))
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not WorkableSettings.objects.exists()


def test_view_only_staff_see_no_token_field_and_cannot_change_it(viewer, org):
    settings_row = workable_settings_update(organization=org, results_token=TOKEN)
    page = viewer.get(change_url(settings_row))
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="results_token"' not in content and "clear_results_token" not in content
    assert TOKEN not in content and settings_row.results_token_encrypted not in content
    attempt = viewer.post(change_url(settings_row), form(org, results_token="stolen"))
    assert attempt.status_code == 403
    settings_row.refresh_from_db()
    assert decrypt(settings_row.results_token_encrypted) == TOKEN
    assert viewer.get(ADD).status_code == 403


def test_the_changelist_shows_whether_a_token_is_set(admin_client, org, other_org):
    workable_settings_update(organization=org, results_token=TOKEN)
    workable_settings_update(organization=other_org)
    page = admin_client.get("/admin/workable/workablesettings/", {"q": "acme"})
    assert page.status_code == 200
    assert "Acme Corp" in page.content.decode() and "Globex" not in page.content.decode()


def test_key_rotation_finds_the_token_column():
    from assessments.secrets_rotation import encrypted_columns

    assert (WorkableSettings, "results_token_encrypted", {}) in encrypted_columns()

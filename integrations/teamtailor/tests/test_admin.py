"""The Teamtailor settings in the admin: secrets write-only and encrypted, the custom base
URL behind the SSRF guard, view-only staff without any secret field."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from integrations.teamtailor.models import TeamtailorSettings
from integrations.teamtailor.services import teamtailor_settings_set

ADD = "/admin/teamtailor/teamtailorsettings/add/"
SECRET = "tt-partner-secret-4f1c"


def change_url(row) -> str:
    return f"/admin/teamtailor/teamtailorsettings/{row.pk}/change/"


def form_data(org, **overrides):
    data = {
        "organization": org.pk,
        "region": "eu",
        "custom_base_url": "",
        "top_fit_percent": 80,
        "might_be_fit_percent": 50,
        "api_key": "",
        "webhook_secret": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def superuser_client(db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(db):
    user = get_user_model().objects.create_user("viewer", "viewer@example.com", is_staff=True)
    user.user_permissions.set([Permission.objects.get(codename="view_teamtailorsettings")])
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_sets_the_secrets_and_they_are_stored_encrypted(superuser_client, org):
    response = superuser_client.post(
        ADD, form_data(org, api_key=SECRET, webhook_secret="whsec-abc")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = TeamtailorSettings.objects.get(organization=org)
    assert row.api_key() == SECRET and row.webhook_secret() == "whsec-abc"
    assert SECRET not in row.api_key_encrypted and row.api_key_encrypted.startswith("gAAAA")

    page = superuser_client.get(change_url(row)).content.decode()
    assert 'name="api_key"' in page and SECRET not in page and "whsec-abc" not in page


def test_an_empty_secret_field_keeps_the_secret_and_clear_removes_it(superuser_client, org):
    row = teamtailor_settings_set(organization=org, api_key=SECRET)
    response = superuser_client.post(change_url(row), form_data(org, region="na"))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.region == "na" and row.api_key() == SECRET
    superuser_client.post(change_url(row), form_data(org, clear_api_key="on"))
    row.refresh_from_db()
    assert row.api_key() == ""


@pytest.mark.parametrize(
    "base_url", ["https://10.1.2.3", "http://api.example.com", "https://localhost:8443"]
)
def test_an_unsafe_custom_base_url_is_refused(superuser_client, org, base_url):
    response = superuser_client.post(ADD, form_data(org, region="custom", custom_base_url=base_url))
    assert response.status_code == 200
    assert "The base URL must" in response.content.decode()
    assert not TeamtailorSettings.objects.exists()


def test_a_custom_region_needs_a_base_url(superuser_client, org):
    response = superuser_client.post(ADD, form_data(org, region="custom"))
    assert response.status_code == 200
    assert "A custom region needs a base URL." in response.content.decode()


def test_a_view_only_user_sees_no_secret_and_cannot_change_it(viewer_client, org):
    row = teamtailor_settings_set(organization=org, api_key=SECRET, webhook_secret="whsec-abc")
    page = viewer_client.get(change_url(row))
    assert page.status_code == 200
    text = page.content.decode()
    assert SECRET not in text and "whsec-abc" not in text
    assert 'name="api_key"' not in text and 'name="webhook_secret"' not in text
    assert row.api_key_encrypted not in text  # not even the ciphertext

    response = viewer_client.post(change_url(row), form_data(org, api_key="stolen-over"))
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.api_key() == SECRET
    assert viewer_client.post(ADD, form_data(org, api_key="x")).status_code == 403


def test_the_changelist_shows_whether_secrets_are_set_not_what_they_are(superuser_client, org):
    teamtailor_settings_set(organization=org, api_key=SECRET)
    response = superuser_client.get("/admin/teamtailor/teamtailorsettings/")
    assert response.status_code == 200
    assert SECRET not in response.content.decode()

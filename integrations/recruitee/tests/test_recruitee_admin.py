"""The Recruitee settings page: the secret is write-only and stored encrypted; staff who may
only view see no secret field and cannot change anything."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from integrations.crypto import decrypt
from integrations.recruitee.models import RecruiteeSettings
from integrations.recruitee.services import partner_for, recruitee_settings_set

ADD = "/admin/recruitee/recruiteesettings/add/"
SECRET = "own-partner-secret-0042"


def change_url(row) -> str:
    return f"/admin/recruitee/recruiteesettings/{row.pk}/change/"


@pytest.fixture
def viewer(db, django_user_model):
    user = django_user_model.objects.create_user("viewer", "viewer@example.com", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_recruiteesettings"))
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_sets_the_secret_and_it_is_stored_encrypted(admin_client, org):
    response = admin_client.post(
        ADD,
        {
            "organization": org.pk,
            "api_base_url": "https://integrations.rc.recruitee.dev/api",
            "codename": "acme-assessments",
            "partner_secret": SECRET,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = RecruiteeSettings.objects.get(organization=org)
    stored = [str(getattr(row, field.attname)) for field in row._meta.concrete_fields]
    assert not any(SECRET in value for value in stored)
    assert decrypt(row.partner_secret_encrypted) == SECRET
    partner = partner_for(organization=org)
    assert partner.secret == SECRET and partner.codename == "acme-assessments"
    assert partner.api_base == "https://integrations.rc.recruitee.dev/api"

    page = admin_client.get(change_url(row)).content.decode()
    assert SECRET not in page and 'name="partner_secret"' in page
    assert SECRET not in admin_client.get("/admin/recruitee/recruiteesettings/").content.decode()


def test_an_empty_secret_keeps_and_clear_removes_it(admin_client, org):
    row = recruitee_settings_set(organization=org, partner_secret=SECRET)
    assert admin_client.post(change_url(row), {"api_base_url": ""}).status_code == 302
    assert partner_for(organization=org).secret == SECRET
    response = admin_client.post(change_url(row), {"clear_partner_secret": "on"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.partner_secret_encrypted == ""


def test_the_form_refuses_an_api_base_outside_recruitee(admin_client, org):
    response = admin_client.post(
        ADD, {"organization": org.pk, "api_base_url": "https://169.254.169.254/api"}
    )
    assert response.status_code == 200
    assert "The API base URL must be on Recruitee" in response.content.decode()
    assert not RecruiteeSettings.objects.exists()


def test_a_view_only_user_sees_no_secret_and_cannot_change_it(viewer, org):
    row = recruitee_settings_set(
        organization=org, codename="acme-assessments", partner_secret=SECRET
    )
    page = viewer.get(change_url(row))
    assert page.status_code == 200
    body = page.content.decode()
    assert "acme-assessments" in body
    assert SECRET not in body and row.partner_secret_encrypted not in body
    assert 'name="partner_secret"' not in body and "partner_secret" not in body

    response = viewer.post(change_url(row), {"partner_secret": "stolen", "codename": "evil"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert decrypt(row.partner_secret_encrypted) == SECRET
    assert row.codename == "acme-assessments"
    assert viewer.post(ADD, {"organization": org.pk}).status_code == 403

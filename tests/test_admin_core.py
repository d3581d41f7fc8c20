import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from assessments.models import Candidate, Interview, Organization
from assessments.models import Test as CatalogTest
from integrations.keys import hash_key
from integrations.models import ApiKey, ErrorReport

PROJECT_APPS = {"assessments", "integrations", "delivery", "recordings"}
CORE_MODELS = [Organization, CatalogTest, Candidate, Interview, ApiKey, ErrorReport]


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", None)
    client.force_login(user)
    return client


@pytest.fixture
def populated(org, api, send_body, monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])
    assert api.post("/api/greenhouse/send_test", send_body(), format="json").status_code == 200
    errors = {"api_call": "test_status", "errors": ["x"]}
    assert api.post("/api/greenhouse/response_error", errors, format="json").status_code == 200


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def inline_models() -> set:
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


def test_every_project_model_is_in_the_admin():
    shown = set(admin.site._registry) | inline_models()
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and model not in shown
    ]
    assert not missing, f"Not in the admin (register them or show them inline): {missing}"


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m.__name__)
def test_core_models_have_search_and_filters(model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields
    assert model_admin.list_filter


@pytest.mark.parametrize(
    "model",
    sorted(admin.site._registry, key=lambda m: m._meta.label),
    ids=lambda m: m._meta.label,
)
def test_admin_changelist_renders(staff, populated, model):
    response = staff.get(changelist_url(model))
    assert response.status_code == 200
    searched = staff.get(changelist_url(model), {"q": "acme"})
    assert searched.status_code == 200


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m.__name__)
def test_admin_change_page_renders(staff, populated, model):
    obj = model.objects.first()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert staff.get(url).status_code == 200


def test_admin_requires_login(client, db):
    response = client.get(changelist_url(ApiKey))
    assert response.status_code == 302
    assert "/admin/login/" in response.headers["Location"]


def test_issuing_a_key_in_the_admin_shows_the_plaintext_once(staff, org, client_for):
    response = staff.post(
        reverse("admin:integrations_apikey_add"),
        {"organization": org.pk, "name": "greenhouse-prod"},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    shown = re.findall(r"mhr_[A-Za-z0-9_-]{20,}", page)
    assert len(shown) == 1
    raw_key = shown[0]
    api_key = ApiKey.objects.get(key_hash=hash_key(raw_key))
    assert api_key.name == "greenhouse-prod"
    assert api_key.organization == org
    assert client_for(raw_key=raw_key).get("/api/greenhouse/list_tests").status_code == 200

    for url in (
        changelist_url(ApiKey),
        reverse("admin:integrations_apikey_change", args=[api_key.pk]),
    ):
        assert raw_key not in staff.get(url).content.decode()


def test_admin_key_hash_is_not_editable_and_not_shown(staff, org):
    api_key = ApiKey.objects.get(organization=org)
    page = staff.get(reverse("admin:integrations_apikey_change", args=[api_key.pk])).content
    assert api_key.key_hash.encode() not in page


def test_admin_revoke_action_revokes_through_the_service(staff, org, client_for):
    api_key = ApiKey.objects.get(organization=org)
    response = staff.post(
        changelist_url(ApiKey),
        {"action": "revoke_keys", admin.helpers.ACTION_CHECKBOX_NAME: [api_key.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 401


def test_admin_renaming_a_key_keeps_it_working(staff, org, client_for):
    api_key = ApiKey.objects.get(organization=org)
    response = staff.post(
        reverse("admin:integrations_apikey_change", args=[api_key.pk]), {"name": "renamed"}
    )
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).name == "renamed"
    assert client_for(org).get("/api/greenhouse/list_tests").status_code == 200


def test_admin_error_reports_are_read_only(staff, populated):
    report = ErrorReport.objects.get()
    assert staff.get(reverse("admin:integrations_errorreport_add")).status_code == 403
    url = reverse("admin:integrations_errorreport_change", args=[report.pk])
    staff.post(url, {"api_call": "tampered"})
    assert ErrorReport.objects.get().api_call == "test_status"

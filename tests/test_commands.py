import base64
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from assessments.models import Organization
from assessments.models import Test as CatalogTest
from integrations.keys import hash_key
from integrations.models import ApiKey


def run(*args) -> tuple[list[str], str]:
    stdout, stderr = StringIO(), StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().splitlines(), stderr.getvalue()


def list_tests_with(raw_key: str):
    authorization = "Basic " + base64.b64encode(f"{raw_key}:".encode()).decode()
    return APIClient().get("/api/greenhouse/list_tests", HTTP_AUTHORIZATION=authorization)


def test_create_api_key_prints_the_key_alone_on_the_last_line(org):
    lines, _ = run("create_api_key", "acme")
    raw_key = lines[-1]
    assert raw_key == raw_key.strip() and " " not in raw_key
    assert ApiKey.objects.get(key_hash=hash_key(raw_key)).organization == org
    response = list_tests_with(raw_key)
    assert response.status_code == 200


def test_create_api_key_with_create_makes_the_organization(catalog):
    lines, stderr = run("create_api_key", "initech", "--create", "Initech Inc")
    organization = Organization.objects.get(slug="initech")
    assert organization.name == "Initech Inc"
    assert "Initech Inc" in stderr
    assert ApiKey.objects.get(key_hash=hash_key(lines[-1])).organization == organization
    assert {t["partner_test_id"] for t in list_tests_with(lines[-1]).json()} == set(catalog)


def test_create_api_key_with_create_reuses_an_existing_organization(org):
    run("create_api_key", "acme", "--create", "Ignored Name")
    assert Organization.objects.filter(slug="acme").count() == 1
    assert ApiKey.objects.filter(organization=org).count() == 2


def test_create_api_key_names_the_key(org):
    lines, _ = run("create_api_key", "acme", "--name", "greenhouse-prod")
    assert ApiKey.objects.get(key_hash=hash_key(lines[-1])).name == "greenhouse-prod"


def test_create_api_key_unknown_organization_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        run("create_api_key", "nope")
    assert ApiKey.objects.count() == 0


def test_seed_demo_is_idempotent_and_prints_a_fresh_working_key(db):
    first_lines, _ = run("seed_demo")
    catalog_after_first = list(CatalogTest.objects.order_by("pk").values())
    second_lines, _ = run("seed_demo")

    assert list(CatalogTest.objects.order_by("pk").values()) == catalog_after_first
    assert Organization.objects.filter(slug="demo").count() == 1
    assert Organization.objects.count() == 1
    first_key, second_key = first_lines[-1], second_lines[-1]
    assert first_key != second_key
    for raw_key in (first_key, second_key):
        response = list_tests_with(raw_key)
        assert response.status_code == 200
        assert {t["partner_test_id"] for t in response.json()} == set(
            CatalogTest.objects.values_list("partner_test_id", flat=True)
        )


def test_seed_demo_catalog_has_the_required_tests(db):
    lines, _ = run("seed_demo")
    assert CatalogTest.objects.count() >= 3
    body = list_tests_with(lines[-1]).json()
    assert {
        "partner_test_id": "py-fastapi-review",
        "partner_test_name": "Python FastAPI Code Review",
        "description": "Repo-based exercise for backend roles.",
    } in body
    demo = Organization.objects.get(slug="demo")
    assert set(demo.enabled_tests.all()) == set(CatalogTest.objects.all())

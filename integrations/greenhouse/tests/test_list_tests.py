import pytest

from assessments.models import Test as CatalogTest
from assessments.services import organization_create
from integrations.keys import api_key_issue

LIST = "/api/greenhouse/list_tests"


def test_list_tests_is_a_top_level_array_of_the_contract_fields(api, catalog):
    response = api.get(LIST)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert isinstance(body, list)
    assert {item["partner_test_id"] for item in body} == set(catalog)
    assert {
        "partner_test_id": "py-fastapi-review",
        "partner_test_name": "Python FastAPI Code Review",
        "description": "Repo-based exercise for backend roles.",
    } in body
    for item in body:
        assert set(item) == {"partner_test_id", "partner_test_name", "description"}
        assert all(isinstance(value, str) for value in item.values())


def test_list_tests_with_trailing_slash(api):
    assert api.get(LIST + "/").status_code == 200


def test_list_tests_shows_only_the_organizations_enabled_tests(
    api, org, other_org, catalog, client_for
):
    org.enabled_tests.remove(catalog["sql-data-modeling"])
    mine = {item["partner_test_id"] for item in api.get(LIST).json()}
    theirs = {item["partner_test_id"] for item in client_for(other_org).get(LIST).json()}
    assert "sql-data-modeling" not in mine
    assert "sql-data-modeling" in theirs


def test_list_tests_hides_inactive_tests(api, catalog):
    CatalogTest.objects.filter(partner_test_id="sql-data-modeling").update(is_active=False)
    ids = {item["partner_test_id"] for item in api.get(LIST).json()}
    assert "sql-data-modeling" not in ids
    assert "py-fastapi-review" in ids


def test_new_organizations_get_tests_enabled_by_default_only(catalog, client_for):
    CatalogTest.objects.filter(partner_test_id="sql-data-modeling").update(enabled_by_default=False)
    organization = organization_create(name="Initech", slug="initech")
    _, raw_key = api_key_issue(organization=organization)
    ids = {item["partner_test_id"] for item in client_for(raw_key=raw_key).get(LIST).json()}
    assert ids == set(catalog) - {"sql-data-modeling"}


def test_list_tests_empty_catalog_is_an_empty_array(api, org):
    org.enabled_tests.clear()
    response = api.get(LIST)
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_list_tests_other_methods_are_405_json(api, method):
    response = getattr(api, method)(LIST, {}, format="json")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"

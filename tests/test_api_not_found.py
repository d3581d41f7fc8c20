"""Unknown paths under the APIs answer JSON in the API's own shape; pages keep the page."""

import pytest


@pytest.mark.parametrize("path", ["/api/greenhouse/nope", "/api/greenhouse/list_tests/x", "/api/x"])
def test_unknown_api_path_is_a_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": "not_found", "message": "No such endpoint."}


def test_unknown_ashby_path_is_a_404_in_ashbys_envelope(client, db):
    response = client.post("/api/ashby/assessment.nope", {}, content_type="application/json")
    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False and body["errors"] == ["not_found"]
    assert body["errorInfo"]["code"] == "not_found"


def test_unknown_page_is_the_html_404(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")

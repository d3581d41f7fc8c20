"""What the web server writes about each request, and what an API caller gets when the server
fails: the access log keeps no credential (API keys sent as the Basic user name, candidate and
report links), and a server error on an API path is JSON in that API's shape."""

import os

import pytest
import requests
from django.db import OperationalError
from rest_framework.test import APIClient

from assessments import services as lifecycle
from conftest import basic
from tests import delivery_helpers as helpers
from tests.candidate_factories import ada_interview_send
from tests.test_ops_metrics import gunicorn_serving


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_access_log_keeps_no_api_key_and_no_link_secret(org, catalog, tmp_path):
    interview = ada_interview_send(org, catalog["py-fastapi-review"])
    token = interview.candidate_token
    env = {
        **os.environ,
        "DATABASE_URL": helpers.database_url_for_workers(),
        "MARIOHR_PLAIN_STATIC": "true",  # no collectstatic here: the page's CSS by plain name
    }
    log_path = tmp_path / "web.log"
    # The Procfile's flags: the access log to standard output.
    with gunicorn_serving(log_path, env, "--workers", "1", "--access-logfile", "-") as base:
        listed = requests.get(f"{base}/api/greenhouse/list_tests", auth=(org.raw_key, ""))
        page = requests.get(f"{base}/t/{token}", headers={"Referer": f"{base}/t/{token}"})
        answers = requests.post(f"{base}/t/{token}/answers", json={"answers": {}})
    assert (listed.status_code, page.status_code, answers.status_code) == (200, 200, 200)

    log = log_path.read_text()
    assert "GET /api/greenhouse/list_tests" in log  # the log is there…
    assert "GET /t/[redacted] " in log and "POST /t/[redacted]/answers " in log
    assert org.raw_key not in log and token not in log  # …without what lets a reader in


@pytest.mark.parametrize(
    ("path", "method", "envelope"),
    [
        ("/api/greenhouse/list_tests", "get", {"error": "server_error"}),
        ("/api/ashby/assessment.list", "post", {"success": False}),
    ],
)
def test_a_server_error_on_an_api_path_is_json_in_its_shape(
    org, monkeypatch, path, method, envelope
):
    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    # Whatever fails inside the view: the handler answers, never Django's HTML page.
    monkeypatch.setattr(lifecycle, "tests_enabled_for", database_gone)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=basic(org.raw_key))

    response = getattr(client, method)(path, {}, format="json" if method == "post" else None)

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert envelope.items() <= response.json().items()

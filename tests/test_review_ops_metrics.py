# ruff: noqa: F811 - the scrape fixture is imported from tests.test_ops_metrics
"""Review: /metrics against a scraper that is not Prometheus, and label values an attacker
would like to mint."""

import secrets

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.test import APIClient

from tests.test_ops_metrics import TOKEN, scrape  # noqa: F401


@pytest.mark.parametrize("offered", ["caf\u00e9", "\u00ff" * 38, TOKEN[:-1] + "\u00e9"])
def test_a_non_ascii_bearer_is_refused_not_a_500(client, db, settings, offered):
    # WSGI hands header bytes over as latin-1 text; hmac.compare_digest refuses non-ASCII str.
    settings.MARIOHR_METRICS_TOKEN = TOKEN
    response = client.get("/metrics", headers={"Authorization": f"Bearer {offered}"})
    assert response.status_code == 401


def test_random_paths_and_methods_mint_no_label_values(client, api, scrape):
    marks = [secrets.token_hex(6) for _ in range(6)]
    anonymous = APIClient()
    for mark in marks:
        api.get(f"/api/greenhouse/{mark}")
        api.generic(mark.upper(), "/api/greenhouse/list_tests")
        anonymous.get(f"/api/{mark}/list_tests")
        api.get(f"/api/greenhouse/test_status?partner_interview_id={mark}")
        client.get(f"/{mark}/")
        client.generic(mark.upper(), f"/t/{mark}/")
    text = scrape()
    values = {
        value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for value in sample.labels.values()
    }
    assert not [value for value in values if any(mark in value.lower() for mark in marks)]

"""Schemathesis against /api/schema/: every operation, a real API key, the real WSGI app.

Each operation gets generated valid and invalid requests; every answer must be a non-5xx,
documented status with a body matching the schema. A few examples per operation by
default (CI); ``MARIOHR_FUZZ_EXAMPLES`` asks for more (``make fuzz``).
"""

import json
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings

from conftest import basic
from mariohr.wsgi import application

EXAMPLES = int(os.environ.get("MARIOHR_FUZZ_EXAMPLES", "") or 10)
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 11,
        # Valid and invalid requests both; every answer is held to the response checks.
        "generation": {
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            "mode": "all",
        },
        "checks": {
            # Not about answers: the schema cannot say which tests are enabled, which URLs
            # the SSRF guard refuses or that names may not be blank, so valid-looking data
            # is rightly a 400/422; and the API deliberately coerces what DRF coerces (a
            # number where a string is expected), so not every schema violation is refused.
            "positive_data_acceptance": {"enabled": False},
            "negative_data_rejection": {"enabled": False},
        },
    }
)


def served_schema() -> dict:
    # What /api/schema/ serves (test_the_fuzzed_schema_is_the_served_one holds them equal),
    # built without a request: collection runs before the test database exists.
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = application


@pytest.fixture
def keep_test_connection():
    """The test's transaction owns the connection; a request must not close it (Django's
    test client does the same; the raw WSGI app does not)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def no_auth_failure_limit(settings):
    """A long run's wrong-key probes would otherwise lock the address out, and every later
    answer would be a (documented) 429 that explores nothing."""
    settings.MARIOHR_AUTH_FAILURE_LIMIT = None


def test_the_fuzzed_schema_is_the_served_one(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content) == schema.raw_schema


@schema.parametrize()
# One organization per operation on purpose: examples share it, as an ATS's calls do.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_inside_its_schema(
    case, org, keep_test_connection, no_auth_failure_limit
):
    case.call_and_validate(headers={"Authorization": authorization(case, org.raw_key)})


def authorization(case, raw_key: str) -> str:
    """The scheme the operation declares: Basic (Greenhouse, Ashby) or Bearer (the others)."""
    declared = case.operation.definition.raw.get("security") or schema.raw_schema.get(
        "security", []
    )
    names = {name for requirement in declared for name in requirement}
    components = schema.raw_schema.get("components", {}).get("securitySchemes", {})
    if any(components.get(name, {}).get("scheme") == "bearer" for name in names):
        return f"Bearer {raw_key}"
    return basic(raw_key)

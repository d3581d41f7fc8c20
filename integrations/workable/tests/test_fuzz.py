"""Schemathesis against the Workable operations of /api/schema/, with the Bearer key Workable
sends (the project-wide fuzz authenticates with Basic, which Workable's paths refuse)."""

import pytest
from hypothesis import HealthCheck, settings

from tests.test_schema_fuzz import keep_test_connection, no_auth_failure_limit, schema

workable_schema = schema.include(path_regex="^/api/workable/")
__all__ = ["keep_test_connection", "no_auth_failure_limit"]


@pytest.fixture(autouse=True)
def _callbacks_resolve(workable_dns):
    """Generated callback URLs must not reach a real resolver either."""


@workable_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_workable_operation_answers_inside_its_schema(
    case, org, keep_test_connection, no_auth_failure_limit
):
    case.call_and_validate(headers={"Authorization": f"Bearer {org.raw_key}"})

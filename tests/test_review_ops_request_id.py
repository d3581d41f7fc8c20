# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""Review: a caller's X-Request-ID that would forge a log line or a header is never used: not
in the answer, not in the request log."""

import pytest

from tests.request_log_helpers import logged  # noqa: F401

LIST = "/api/greenhouse/list_tests"


@pytest.mark.parametrize(
    "offered",
    [
        "abc\n2026-12-04 12:00:00,000 INFO forged [admin] line",
        "abc\r\nSet-Cookie: sessionid=x",
        'abc", "level": "critical',
        "a" * 200 + "\n",
    ],
)
def test_a_forging_request_id_is_replaced_in_the_answer_and_the_log(api, logged, offered):
    response = api.get(LIST, headers={"X-Request-ID": offered})
    assert response.status_code == 200
    returned = response["X-Request-ID"]
    assert returned != offered and len(returned) == 32 and returned.isalnum()
    assert "Set-Cookie" not in response.headers
    [row] = logged()
    assert row.request_id == returned

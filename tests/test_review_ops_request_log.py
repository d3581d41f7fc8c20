# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""Review: a hostile body must not cost the request log the other calls of its batch.

Python's json.loads(bytes) guesses UTF-16 and UTF-32 and decodes with "surrogatepass", so
bytes can smuggle what PostgreSQL's jsonb refuses (a lone surrogate, NUL, NaN, infinity)
past a check that looks for their escaped UTF-8 spellings. One such call, from anyone (a
refused key is logged too), used to fail the whole batch's INSERT on PostgreSQL.
"""

import pytest
from rest_framework.test import APIClient

from integrations.request_log.redaction import redacted_body
from tests.request_log_helpers import logged  # noqa: F401

LIST = "/api/greenhouse/list_tests"
SEND = "/api/greenhouse/send_test"


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


HOSTILE_BODIES = {
    "surrogate_in_utf8_bytes": b'{"notes": "\xed\xa0\x80"}',
    "nul_escape_in_utf16": '{"notes": "\\u0000"}'.encode("utf-16"),
    "nan_in_utf16": '{"score": NaN}'.encode("utf-16-le"),
    "infinity_in_utf32": '{"score": 1e999}'.encode("utf-32"),
}


@pytest.mark.parametrize("raw", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_body_json_can_only_smuggle_is_kept_as_a_note(raw):
    assert redacted_body(raw) == {"_unparsed": f"{len(raw)} bytes, not storable JSON"}


@pytest.mark.parametrize("raw", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_a_hostile_body_does_not_lose_the_batch_it_shares(api, raw, logged):
    assert api.get(LIST).status_code == 200
    hostile = APIClient()  # no key at all: refused calls are logged too
    response = hostile.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code in (400, 401)
    rows = logged()
    assert [(row.endpoint, row.status_code) for row in rows] == [
        ("greenhouse-list-tests", 200),
        ("greenhouse-send-test", response.status_code),
    ]
    assert rows[1].request_body == {"_unparsed": f"{len(raw)} bytes, not storable JSON"}


@pytest.mark.parametrize("depth", [100, 900, 5000])
def test_deep_but_valid_json_is_logged_without_breaking_the_batch(api, depth, logged):
    raw = ('{"a": ' * depth + "1" + "}" * depth).encode()
    hostile = APIClient()
    response = hostile.generic("POST", SEND, raw, content_type="application/json")
    assert response.status_code in (400, 401)
    assert api.get(LIST).status_code == 200
    rows = logged()
    assert [row.endpoint for row in rows] == ["greenhouse-send-test", "greenhouse-list-tests"]


def test_a_row_the_database_refuses_costs_only_itself(api, logged, monkeypatch):
    from integrations.request_log import services

    original = services._redacted_row

    def one_unstorable(wire):
        row = original(wire)
        if wire["endpoint"] == "greenhouse-test-status":
            row["status_code"] = -1  # refused by the column's CHECK, on SQLite and PostgreSQL
        return row

    monkeypatch.setattr(services, "_redacted_row", one_unstorable)
    assert api.get(LIST).status_code == 200
    assert api.get("/api/greenhouse/test_status?partner_interview_id=x").status_code == 404
    assert api.get(LIST).status_code == 200
    assert [row.endpoint for row in logged()] == ["greenhouse-list-tests"] * 2


RESUME = "https://s3.amazonaws.com/gh-resumes/ada.pdf?X-Amz-Signature=abc123&X-Amz-Expires=600"


def test_a_resume_link_is_masked(api, send_body, logged):
    # Greenhouse and Workable send a signed, temporary link to the candidate's CV: whoever
    # holds it reads the candidate's contact details.
    body = send_body()
    body["candidate"]["resume_url"] = RESUME
    assert api.post(SEND, body, format="json").status_code == 200
    [row] = logged()
    assert row.request_body["candidate"]["resume_url"] == "[redacted]"
    assert "X-Amz-Signature" not in str(row.request_body)

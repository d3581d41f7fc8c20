# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""The web process ships calls raw and sealed; the worker redacts before the write. Nothing
readable sits on the broker, no header is ever captured, and everything stored is redacted:
secrets, e-mail addresses and phone numbers, in bodies and in the query."""

import base64
import json
import logging

import pytest
from cryptography.fernet import Fernet

from assessments.crypto import fernet_keys
from conftest import basic
from integrations.request_log.models import PartnerRequest
from integrations.request_log.tasks import write_partner_requests
from integrations.request_log.transit import KEPT, batch_open, batch_seal, body_bytes
from tests.request_log_helpers import logged, queued  # noqa: F401

SEND = "/api/greenhouse/send_test"
STATUS = "/api/greenhouse/test_status"
CONTACT = ("Harry", "Potter", "hpotter@hogwarts.edu", "123-456-7890")
SECRETS = ("sk-very-secret", "t0k-in-query", "owl@example.com", "+44 20 7946 0000")


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    monkeypatch.setattr("integrations.ssrf.resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def calls(api, send_body, queued, settings):
    """A send_test carrying contact details and a secret, and a test_status whose query
    carries a token, an e-mail address and a phone number; returns the one sealed batch."""
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 2
    body = send_body(api_key=SECRETS[0])
    assert api.post(SEND, body, format="json").status_code == 200
    query = {"partner_interview_id": "x", "token": SECRETS[1], "email": SECRETS[2]}
    query["phone"] = SECRETS[3]
    assert api.get(STATUS, query).status_code == 404
    [batch] = queued
    return batch


def sensitive(org) -> list[str]:
    header = basic(org.raw_key)
    return [*CONTACT, *SECRETS, org.raw_key, header, header.split()[1]]


def test_the_broker_holds_nothing_readable(calls, org):
    on_the_broker = json.dumps(calls)
    assert set(calls) == {"database", "sealed"}
    for value in sensitive(org):
        assert value not in on_the_broker
        assert base64.b64encode(value.encode()).decode() not in on_the_broker


def test_no_header_is_captured_and_bodies_travel_raw(calls, org):
    rows = batch_open(calls)
    opened = repr(rows)  # bodies are bytes: their repr shows ASCII as it is
    # Authorization is never copied, not even into the sealed batch.
    for value in (org.raw_key, basic(org.raw_key), basic(org.raw_key).split()[1]):
        assert value not in opened
    assert not any("header" in key.lower() or "authorization" in key.lower() for key in rows[0])
    # The web process did not parse or redact: that is the worker's job.
    request_raw, _ = body_bytes(rows[0]["request"])
    assert json.loads(request_raw)["candidate"]["email"] == CONTACT[2]
    assert SECRETS[1] in rows[1]["query_string"]


def test_everything_the_worker_stores_is_redacted(calls, org):
    # What a Celery worker does with the message.
    assert write_partner_requests(calls) == 2
    send_row, status_row = PartnerRequest.objects.order_by("created_at", "pk")
    stored = json.dumps(
        [[row.query, row.request_body, row.response_body] for row in (send_row, status_row)]
    )
    for value in sensitive(org):
        assert value not in stored
    candidate = send_row.request_body["candidate"]
    assert (
        candidate["email"] == candidate["phone_number"] == candidate["first_name"] == "[redacted]"
    )
    assert send_row.request_body["api_key"] == "[redacted]"
    assert status_row.query == {
        "partner_interview_id": "x",
        "token": "[redacted]",
        "email": "[redacted]",
        "phone": "[redacted]",
    }
    assert send_row.response_body["partner_interview_id"]


def test_a_body_over_the_cap_is_redacted_before_it_leaves(api, send_body, queued, settings):
    settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES = 1000
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 1
    body = send_body()
    body["candidate"]["metadata"] = {"essay": "write to owl@example.com " + "x" * 3000}
    assert api.post(SEND, body, format="json").status_code == 200
    [row] = batch_open(queued[0])
    raw, kept = body_bytes(row["request"])
    assert raw is None
    assert kept["candidate"]["metadata"]["essay"].startswith("write to [redacted] xxx")
    for value in (*CONTACT, "owl@example.com"):
        assert value not in json.dumps(kept)
    assert write_partner_requests(queued[0]) == 1
    assert PartnerRequest.objects.get().request_body == kept


def test_bodies_cross_byte_for_byte(db):
    bodies = [bytes(range(256)) + "é€\n".encode(), b"", b"\n\n{}", b"x" * 70000]
    rows = [{"request": bodies[n], "response": bodies[n + 1]} for n in (0, 2)]
    rows.insert(1, {"request": [KEPT, {"_omitted": "9 bytes"}], "response": b"\x00"})
    opened = batch_open(json.loads(json.dumps(batch_seal(database="x", rows=rows))))
    assert [(row["request"], row["response"]) for row in opened] == [
        (bodies[0], bodies[1]),
        ([KEPT, {"_omitted": "9 bytes"}], b"\x00"),
        (bodies[2], bodies[3]),
    ]


def test_a_body_that_is_not_json_is_stored_as_a_note_only(api, queued, settings):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 1
    api.generic("POST", SEND, b"email=owl@example.com&\xff", "text/plain")
    write_partner_requests(queued[0])
    assert PartnerRequest.objects.get().request_body == {"_unparsed": "23 bytes, not storable JSON"}


def test_a_batch_the_workers_keys_cannot_open_is_dropped(calls, settings, caplog):
    settings.MARIOHR_FERNET_KEYS = [Fernet.generate_key().decode()]
    with caplog.at_level(logging.ERROR, logger="integrations.request_log.services"):
        assert write_partner_requests(calls) == 0
    assert not PartnerRequest.objects.exists()
    assert "MARIOHR_FERNET_KEYS" in caplog.text


def test_a_rotated_key_still_opens_batches_sealed_before(calls, settings):
    settings.MARIOHR_FERNET_KEYS = [Fernet.generate_key().decode(), *fernet_keys()]
    assert write_partner_requests(calls) == 2


def test_a_batch_of_the_previous_release_is_written_as_it_was_redacted(db, calls):
    rows = [
        {
            "created_at": "2026-01-01T00:00:00+00:00",
            "ats": "greenhouse",
            "endpoint": "greenhouse-list-tests",
            "method": "GET",
            "path": "/api/greenhouse/list_tests",
            "query": {},
            "status_code": 200,
            "latency_ms": 1.5,
            "request_body": None,
            "response_body": [{"partner_test_id": "py"}],
            "request_id": "old",
            "organization_id": None,
            "interview_id": None,
        }
    ]
    assert write_partner_requests({"database": calls["database"], "rows": rows}) == 1
    assert PartnerRequest.objects.get().request_id == "old"


def test_a_sealed_batch_for_another_database_is_refused(db):
    row = {"request": b"{}", "response": b""}
    assert write_partner_requests(batch_seal(database="elsewhere", rows=[row])) == 0


def test_a_query_is_read_as_django_reads_it(api, queued, settings):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 1
    api.get(STATUS, {"partner_interview_id": "café", "notes": "mail owl@example.com"})
    write_partner_requests(queued[0])
    assert PartnerRequest.objects.get().query == {
        "partner_interview_id": "café",
        "notes": "mail [redacted]",
    }

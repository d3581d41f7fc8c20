# ruff: noqa: F811 - fixtures imported from tests.request_log_helpers
"""The buffer between the request and the write: batches leave by size, by age, from a timer
when the process is quiet, and wait (bounded) while the broker is unreachable."""

from integrations.request_log import buffer
from integrations.request_log.buffer import pending
from integrations.request_log.transit import batch_open
from tests.request_log_helpers import logged, queued  # noqa: F401

LIST = "/api/greenhouse/list_tests"


def test_a_batch_carries_sealed_rows_and_its_database(api, queued, settings):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 2
    api.get(LIST, {"token": "t0k"})
    assert queued == []
    api.get(LIST)
    [batch] = queued
    assert set(batch) == {"database", "sealed"} and "t0k" not in batch["sealed"]
    rows = batch_open(batch)
    assert len(rows) == 2
    # Raw in transit: the worker redacts (see test_request_log_transit.py).
    assert rows[0]["query_string"] == "token=t0k"
    from django.db import connection

    assert batch["database"] == str(connection.settings_dict["NAME"])


def test_a_quiet_process_is_flushed_by_its_timer(api, queued, settings):
    settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS = 1
    pending.discard()
    # The request's own flush check finds the row young; only the timer can send it.
    api.get(LIST)
    assert queued == []
    assert queued.sent.wait(10)
    assert len(batch_open(queued[0])) == 1
    assert len(pending) == 0


def test_rows_wait_while_the_broker_is_down_and_leave_when_it_is_back(
    api, monkeypatch, logged, settings
):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 1
    calls = []

    def broken(name, batch, **options):
        calls.append(batch)
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(buffer, "task_enqueue", broken)
    api.get(LIST)
    api.get(LIST)  # within the retry pause: no second attempt
    assert len(calls) == 1 and len(pending) == 2
    sent = []
    monkeypatch.setattr(buffer, "task_enqueue", lambda name, batch, **o: sent.append(batch))
    pending._broker_down_until = 0.0
    assert pending.flush() == 2
    assert [len(batch_open(batch)) for batch in sent] == [1, 1]


def test_the_buffer_is_bounded(api, monkeypatch, logged, settings):
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 1
    monkeypatch.setattr(buffer, "MAX_PENDING_BATCHES", 2)
    pending._broker_down_until = float("inf")
    dropped = pending.dropped
    for _ in range(4):
        api.get(LIST)
    assert len(pending) == 2
    assert pending.dropped == dropped + 2

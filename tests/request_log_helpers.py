"""Fixtures for the request-log tests: a clean buffer, a flush that writes for real, and the
batches the web side hands to the broker."""

import threading
from contextlib import contextmanager

import pytest
from celery import current_app

from integrations.request_log import buffer
from integrations.request_log.buffer import pending
from integrations.request_log.models import PartnerRequest


@contextmanager
def tasks_run_here():
    """The write task runs in this process (in the test's transaction) instead of queueing."""
    saved = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        yield
    finally:
        current_app.conf.task_always_eager = saved


@pytest.fixture
def logged(settings):
    """Flush the calls made so far through the write task (run in this process, in this
    test's transaction) and return every logged row, oldest first."""
    # Only the test flushes: no timer or age flush ships the rows to the broker meanwhile.
    settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS = 3600
    pending.discard()

    def flush() -> list[PartnerRequest]:
        with tasks_run_here():
            pending.flush()
        return list(PartnerRequest.objects.order_by("created_at", "pk"))

    yield flush
    pending.discard()


class Batches(list):
    def __init__(self):
        super().__init__()
        self.sent = threading.Event()


@pytest.fixture
def queued(monkeypatch, logged):
    """Batches handed to the broker, recorded instead of sent (as the broker holds them)."""
    batches = Batches()
    sent = batches.sent

    def enqueue(name, batch, **options):
        assert name == buffer.WRITE_TASK and options["retry"] is False
        batches.append(batch)
        sent.set()

    monkeypatch.setattr(buffer, "task_enqueue", enqueue)
    return batches

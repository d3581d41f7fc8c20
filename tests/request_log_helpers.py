"""Fixtures for the request-log tests: a clean buffer and a flush that writes for real."""

from contextlib import contextmanager

import pytest
from celery import current_app

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

"""Through the queue for real: the web side publishes one sealed batch, a real Celery worker
opens, redacts and writes it."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from integrations.request_log.buffer import pending
from integrations.request_log.models import PartnerRequest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_full_buffer_reaches_the_table_through_a_real_worker(api, org, settings):
    from mariohr.celery import app

    # A queue of our own: a developer's running worker must not eat the test's messages.
    settings.MARIOHR_REQUEST_LOG_QUEUE = queue = f"request-log-test-{uuid.uuid4().hex[:12]}"
    settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS = 3
    settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS = 3600
    pending.discard()
    try:
        with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
            for _ in range(2):
                assert api.get("/api/greenhouse/list_tests").status_code == 200
            query = {"token": "t0k-secret", "email": "owl@example.com", "phone": "+44 20 7946 0000"}
            assert api.get("/api/greenhouse/list_tests", query).status_code == 200
            deadline = time.monotonic() + 30
            while PartnerRequest.objects.count() < 3 and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        pending.discard()
    rows = list(PartnerRequest.objects.all())
    assert len(rows) == 3
    assert {(row.organization, row.endpoint, row.status_code) for row in rows} == {
        (org, "greenhouse-list-tests", 200)
    }
    assert [row.query for row in rows if row.query] == [
        {"token": "[redacted]", "email": "[redacted]", "phone": "[redacted]"}
    ]

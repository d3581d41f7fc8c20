"""Rows wait in this process and leave in bulk, after the response, through the queue.

The request path only appends to a list. When a request has finished (Django's
``request_finished``: the WSGI server has sent the response) and the buffer holds
MARIOHR_REQUEST_LOG_BUFFER_ROWS rows or its oldest row is MARIOHR_REQUEST_LOG_FLUSH_SECONDS
old, the rows are redacted and handed to the worker as one task (tasks.py), which writes them
with one INSERT. A timer flushes a quiet process, and exit flushes what is left. The web
process never writes the log itself, so a burst of calls costs the database one statement.

The buffer is bounded: while the broker is unreachable, rows wait (publishing is retried at
most every few seconds); past MAX_PENDING_BATCHES batches, the oldest are dropped and counted.
"""

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import connection

from mariohr.enqueue import task_enqueue

from .redaction import redacted_body, redacted_query

logger = logging.getLogger(__name__)

WRITE_TASK = "integrations.request_log.tasks.write_partner_requests"
MAX_PENDING_BATCHES = 10
BROKER_RETRY_SECONDS = 5.0


@dataclass(slots=True)
class Captured:
    """What the middleware took from one call, not yet parsed or redacted."""

    created_at: datetime
    ats: str
    endpoint: str
    method: str
    path: str
    query: object
    status_code: int
    latency_ms: float
    request_body: bytes
    request_omitted: int
    response_body: bytes
    response_omitted: int
    request_id: str
    organization_id: int | None
    interview_id: int | None

    def row(self) -> dict:
        """The row as the write task receives it (JSON: it crosses the broker)."""
        return {
            "created_at": self.created_at.isoformat(),
            "ats": self.ats,
            "endpoint": self.endpoint[:100],
            "method": self.method[:10],
            "path": self.path,
            "query": redacted_query(self.query),
            "status_code": self.status_code,
            "latency_ms": round(self.latency_ms, 2),
            "request_body": redacted_body(self.request_body, omitted_bytes=self.request_omitted),
            "response_body": redacted_body(self.response_body, omitted_bytes=self.response_omitted),
            "request_id": self.request_id[:200],
            "organization_id": self.organization_id,
            "interview_id": self.interview_id,
        }


class PendingRows:
    def __init__(self):
        self._lock = threading.Lock()
        self._captured: list[Captured] = []
        self._first_at = 0.0
        self._timer: threading.Timer | None = None
        self._broker_down_until = 0.0
        self.dropped = 0

    def add(self, captured: Captured) -> None:
        with self._lock:
            if not self._captured:
                self._first_at = time.monotonic()
            self._captured.append(captured)
            overflow = len(self._captured) - MAX_PENDING_BATCHES * self._batch_rows()
            if overflow > 0:
                del self._captured[:overflow]
                self.dropped += overflow
                logger.warning("Request log: broker unreachable, dropped %d row(s)", overflow)
            if self._timer is None:
                self._start_timer()

    def __len__(self) -> int:
        return len(self._captured)

    def flush_when_due(self, **_signal_kwargs) -> None:
        if not self._captured:
            return
        due = (
            len(self._captured) >= self._batch_rows()
            or time.monotonic() - self._first_at >= settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS
        )
        if due:
            self.flush()

    def flush(self) -> int:
        """Publish every pending row now; returns how many left this process."""
        with self._lock:
            if not self._captured or time.monotonic() < self._broker_down_until:
                return 0
            captured, self._captured = self._captured, []
        sent = 0
        size = self._batch_rows()
        options = {"retry": False}
        if settings.MARIOHR_REQUEST_LOG_QUEUE:
            options["queue"] = settings.MARIOHR_REQUEST_LOG_QUEUE
        try:
            for start in range(0, len(captured), size):
                chunk = captured[start : start + size]
                task_enqueue(WRITE_TASK, self._batch([c.row() for c in chunk]), **options)
                sent += len(chunk)
        except Exception:
            logger.exception("Request log: could not queue %d row(s)", len(captured) - sent)
            with self._lock:
                self._captured[:0] = captured[sent:]
                self._first_at = time.monotonic()
                self._broker_down_until = time.monotonic() + BROKER_RETRY_SECONDS
        return sent

    def discard(self) -> None:
        """Forget what is pending and any broker failure (tests)."""
        with self._lock:
            self._captured = []
            self._broker_down_until = 0.0
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def _batch(self, rows: list[dict]) -> dict:
        # The worker refuses a batch captured against another database (a test run's rows
        # reaching a development worker through the shared file broker, say).
        return {"database": str(connection.settings_dict["NAME"]), "rows": rows}

    def _batch_rows(self) -> int:
        return max(1, settings.MARIOHR_REQUEST_LOG_BUFFER_ROWS)

    def _start_timer(self) -> None:
        seconds = settings.MARIOHR_REQUEST_LOG_FLUSH_SECONDS
        self._timer = threading.Timer(seconds, self._on_timer)
        self._timer.daemon = True
        self._timer.start()

    def _on_timer(self) -> None:
        with self._lock:
            self._timer = None
        # Where tasks run inline (CELERY_TASK_ALWAYS_EAGER), this thread would write with a
        # connection of its own, outside the transaction of whoever is handling a request
        # (a test's): leave the flush to the next finished request, or to exit.
        if not current_app.conf.task_always_eager:
            self.flush()
        with self._lock:
            if self._captured and self._timer is None:
                self._start_timer()


pending = PendingRows()

"""Rows wait in this process and leave in bulk, after the response, through the queue.

The request path only appends to a list. When a request has finished (Django's
``request_finished``: the WSGI server has sent the response) and the buffer holds
MARIOHR_REQUEST_LOG_BUFFER_ROWS rows or its oldest row is MARIOHR_REQUEST_LOG_FLUSH_SECONDS
old, the rows are sealed (transit.py) and handed to the worker as one task (tasks.py), which
parses, redacts and writes them with one INSERT. A timer flushes a quiet process, and exit
flushes what is left. The web process neither parses, redacts nor writes: a sync worker busy
after a response is a worker not serving the next call, so that work belongs to Celery.

The buffer is bounded: while the broker is unreachable, rows wait (publishing is retried at
most every few seconds); past MAX_PENDING_BATCHES batches, the oldest are dropped and counted.
"""

import logging
import threading
import time
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import connection

from mariohr.enqueue import task_enqueue

from .redaction import redacted_body
from .transit import batch_seal, body_kept

logger = logging.getLogger(__name__)

WRITE_TASK = "integrations.request_log.tasks.write_partner_requests"
MAX_PENDING_BATCHES = 10
# A published batch costs the web process about a millisecond whatever its size (Celery and
# kombu's fixed work), so batches are large; this bounds one message on the broker.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
BROKER_RETRY_SECONDS = 5.0


@dataclass(slots=True)
class Captured:
    """What the middleware took from one call (references, no copies), not yet parsed or
    redacted."""

    created_at: float  # time.time(): the worker makes it a datetime
    ats: str
    endpoint: str
    method: str
    path: str
    query_string: str
    status_code: int
    latency_ms: float
    request_body: bytes
    request_omitted: int
    response_body: bytes
    response_omitted: int
    request_id: str
    organization_id: int | None
    interview_id: int | None

    def wire(self, body_limit: int) -> dict:
        """The row as it crosses the broker, sealed (transit.py); the worker redacts it."""
        return {
            "created_at": self.created_at,
            "ats": self.ats,
            "endpoint": self.endpoint,
            "method": self.method,
            "path": self.path,
            "query_string": self.query_string,
            "status_code": self.status_code,
            "latency_ms": self.latency_ms,
            "request": _body_wire(self.request_body, self.request_omitted, body_limit),
            "response": _body_wire(self.response_body, self.response_omitted, body_limit),
            "request_id": self.request_id,
            "organization_id": self.organization_id,
            "interview_id": self.interview_id,
        }


def _body_wire(raw: bytes, omitted: int, limit: int) -> bytes | list:
    if omitted or len(raw) > limit:
        # Rare (list endpoints stay far below the cap): shortened here, so that no batch
        # carries more than the cap of raw bytes per body.
        return body_kept(redacted_body(raw, omitted_bytes=omitted))
    return raw


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
        body_limit = settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES
        # No repr of the sealed batch in Celery's logs and monitors (and none computed).
        options = {"retry": False, "argsrepr": "(<sealed request-log batch>,)"}
        if settings.MARIOHR_REQUEST_LOG_QUEUE:
            options["queue"] = settings.MARIOHR_REQUEST_LOG_QUEUE
        try:
            for chunk in _chunks(captured, size, body_limit):
                batch = self._batch([c.wire(body_limit) for c in chunk])
                task_enqueue(WRITE_TASK, batch, **options)
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
        return batch_seal(database=str(connection.settings_dict["NAME"]), rows=rows)

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


def _chunks(captured: list[Captured], rows: int, body_limit: int):
    """At most ``rows`` calls a message, and at most about MAX_MESSAGE_BYTES of raw bodies
    (a body over ``body_limit`` leaves redacted, at most that size)."""
    chunk, size = [], 0
    for call in captured:
        weight = min(len(call.request_body), body_limit) + min(len(call.response_body), body_limit)
        if chunk and (len(chunk) == rows or size + weight > MAX_MESSAGE_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(call)
        size += weight
    if chunk:
        yield chunk


pending = PendingRows()

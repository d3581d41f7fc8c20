"""Celery's side of the request id, the log format and the task metrics (mariohr/celery.py
imports this module, so every process that runs or enqueues tasks connects the signals).

A message carries the request id of whoever enqueued it in a header; the worker binds it
while the task runs, so the task's log lines, the tasks it enqueues and the delivery attempt
it records carry the id of the request that set it all off.
"""

import time

from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    before_task_publish,
    task_postrun,
    task_prerun,
)

from .request_id import current_request_id, request_id_restore, request_id_set

HEADER = "mariohr_request_id"
# Histogrammed as recording processing time (mariohr.metrics); named, not imported: mariohr
# imports no app.
RECORDING_PROCESSING_TASK = "assessments.recordings.tasks.process_recording"

# task id → (the context token to restore, when the task started)
_running: dict[str, tuple] = {}


@before_task_publish.connect(weak=False, dispatch_uid="mariohr.request_id.publish")
def _request_id_into_headers(headers=None, **kwargs) -> None:
    value = current_request_id()
    if value and headers is not None:
        headers[HEADER] = value


def _request_id_of(task, task_id: str) -> str:
    request = getattr(task, "request", None)
    carried = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(
        HEADER
    )
    # Eager mode runs the task inside the caller, whose id stays in force.
    return carried or current_request_id() or task_id


@task_prerun.connect(weak=False, dispatch_uid="mariohr.request_id.prerun")
def _request_id_bind(task_id=None, task=None, **kwargs) -> None:
    token = request_id_set(_request_id_of(task, task_id or ""))
    _running[task_id] = (token, time.perf_counter())


@task_postrun.connect(weak=False, dispatch_uid="mariohr.request_id.postrun")
def _request_id_release(task_id=None, task=None, state=None, **kwargs) -> None:
    token, started = _running.pop(task_id, (None, None))
    if token is not None:
        request_id_restore(token)
    if started is not None and task is not None:
        _task_metrics(task.name, state or "UNKNOWN", time.perf_counter() - started)


def _task_metrics(name: str, state: str, seconds: float) -> None:
    from django.conf import settings

    # Imported on first use: prometheus-client must see settings' PROMETHEUS_MULTIPROC_DIR,
    # and this module is imported before Django's settings are.
    from . import metrics

    if name == RECORDING_PROCESSING_TASK:
        metrics.recording_processing_duration.labels(state).observe(seconds)
    sweepers = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    if name in sweepers:
        metrics.sweeper_runs.labels(name.rpartition(".")[2], state).inc()


@task_prerun.connect(weak=False, dispatch_uid="mariohr.db.prerun")
@task_postrun.connect(weak=False, dispatch_uid="mariohr.db.postrun")
def _old_db_connections_close(task=None, **kwargs) -> None:
    """What Django does around each request: close a connection past DATABASE_CONN_MAX_AGE,
    broken, or left mid-transaction; keep the others (settings.CELERY_DB_REUSE_MAX)."""
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # an eager task runs inside its caller's request and transaction
    from django.db import close_old_connections

    close_old_connections()


@after_setup_logger.connect(weak=False, dispatch_uid="mariohr.logging.worker")
@after_setup_task_logger.connect(weak=False, dispatch_uid="mariohr.logging.worker_tasks")
def _worker_log_format(logger=None, **kwargs) -> None:
    """Celery replaces the root logger's handlers with its own: give them the request id
    and MARIOHR_LOG_FORMAT too."""
    from django.conf import settings

    from .logging_config import handlers_dress

    if logger is not None:
        handlers_dress(logger, settings.MARIOHR_LOG_FORMAT)

"""Queueing a Celery task by its name, for the services whose task module imports them back.

A task is thin: it loads by id and calls a service. When that service (or one it calls)
queues the task again, importing the task's module would close an import cycle; the name is
the seam instead. A leaf: it imports nothing from MarioHR's apps.
"""

import logging
from importlib import import_module

from celery import current_app
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def task_enqueue(name: str, *args, **options):
    """``task.apply_async(args, **options)`` for the task registered as ``name``."""
    app = current_app
    if not app.conf.task_always_eager:
        # What apply_async does, without the task object (its own options still apply:
        # send_task reads them from the registry when the task is loaded in this process).
        return app.send_task(name, args=args, **options)
    # Eager mode (tests, CELERY_TASK_ALWAYS_EAGER) runs the task here, and send_task ignores
    # it: load the task's module (as a worker does at start) and apply it like .delay().
    return _registered(name).apply_async(args, **options)


def task_run_here(name: str, *args):
    """Run the task registered as ``name`` in this process, now: a fallback for a broker
    that is down, for work that cannot wait for a sweeper."""
    return _registered(name)(*args)


def _registered(name: str):
    app = current_app
    if name not in app.tasks:
        import_module(name.rpartition(".")[0])
    return app.tasks[name]


def task_enqueue_or_log(name: str, *args, **options) -> bool:
    """``task_enqueue``, for callers whose own work has already committed: a broker that is
    down is logged and answered with False (the caller's fallback or a sweeper takes over)
    instead of failing the request that just succeeded."""
    try:
        task_enqueue(name, *args, **options)
    except (OperationalError, OSError):
        logger.warning("%s%r not queued: broker unavailable", name, args, exc_info=True)
        return False
    return True

"""/readyz: can this process do its work? The database, the Celery broker and the default
storage, each checked at once in its own thread and given MARIOHR_READYZ_TIMEOUT_SECONDS.

200 with each check's time, or 503 naming what failed. A load balancer takes an instance out
of rotation on 503; /healthz (process up, no dependency) is the liveness probe, so a broker
outage never gets every web process restarted. The error's class is shown, its text only
logged: this page is unauthenticated and messages may name internal hosts.
"""

import contextvars
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from celery import current_app
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE_NAME = ".readyz-probe"


def database_check(timeout: float) -> None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        # This thread's own connection: never left open for a thread that is gone.
        connections.close_all()


def broker_check(timeout: float) -> None:
    with current_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
        connection.default_channel  # noqa: B018  (opens a channel: Redis answers a PING)


def storage_check(timeout: float) -> None:
    # A cheap existence check: S3 answers a HEAD (404 is fine, 403 or no answer is not).
    default_storage.exists(PROBE_NAME)


CHECKS = {"database": database_check, "broker": broker_check, "storage": storage_check}


def _timed(check, timeout: float) -> float:
    started = time.perf_counter()
    check(timeout)
    return time.perf_counter() - started


# The run of each check in progress, shared by the probes that come meanwhile: /readyz is
# unauthenticated, and while a dependency hangs each probe would leave one more thread (and
# connection attempt) behind it.
_running: dict[tuple, Future] = {}
_running_lock = threading.Lock()


def readiness(checks=None) -> tuple[bool, dict]:
    """Run every check concurrently; ({name: {"ok", "ms"[, "error"]}}, all ok)."""
    checks = checks or CHECKS
    timeout = settings.MARIOHR_READYZ_TIMEOUT_SECONDS
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    started = time.perf_counter()
    futures = {name: _run_once(executor, name, check, timeout) for name, check in checks.items()}
    results = {}
    for name, future in futures.items():
        remaining = max(0.0, timeout - (time.perf_counter() - started))
        try:
            seconds = future.result(timeout=remaining)
        except FutureTimeout:
            results[name] = {"ok": False, "ms": round(timeout * 1000), "error": "timeout"}
            logger.warning("readyz: %s did not answer within %ss", name, timeout)
        except Exception as exc:
            results[name] = {
                "ok": False,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "error": type(exc).__name__,
            }
            logger.warning("readyz: %s failed", name, exc_info=True)
        else:
            results[name] = {"ok": True, "ms": round(seconds * 1000, 1)}
    # Not waiting for a check still hanging: its thread ends with its own timeout.
    executor.shutdown(wait=False)
    return all(result["ok"] for result in results.values()), results


def _run_once(executor, name: str, check, timeout: float) -> Future:
    with _running_lock:
        future = _running.get((name, check))
        if future is None or future.done():
            # Each thread logs under this request's id.
            future = executor.submit(contextvars.copy_context().run, _timed, check, timeout)
            _running[name, check] = future
        return future


@require_safe
def readyz(request):
    ready, checks = readiness()
    failed = [name for name, result in checks.items() if not result["ok"]]
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    if failed:
        body["failed"] = failed
    response = JsonResponse(body, status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response

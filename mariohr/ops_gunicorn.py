"""Gunicorn settings and hooks (Procfile: ``-c python:mariohr.ops_gunicorn``): an access log
without credentials, and prometheus-client's multiprocess mode.

Each process writes its samples to files named after its pid under PROMETHEUS_MULTIPROC_DIR.
The master, before forking, settles the directory (so its workers inherit it) and removes the
files of processes that are gone: a restart resets counters, which Prometheus' rate() expects,
and the directory does not grow with every deploy. Files of live processes (the Celery
workers of this host, a second server) are kept. The master does not load Django.
"""

import os
import re
from pathlib import Path

from gunicorn.glogging import Logger

BASE_DIR = Path(__file__).resolve().parent.parent
# Path segments that are credentials: candidate links, report links, recording links (and the
# candidate token in recording uploads), sandbox receiver tokens.
SECRET_PATH = re.compile(
    r"((?:^|[ ]|//[^/\s]+)/(?:t|reports|recordings(?:/file)?|sandbox/receiver)/)[^/?#\s\"]+"
)
SECRET_HEADER = re.compile(r"authorization|cookie|key|token|secret|signature", re.I)
REDACTED = "[redacted]"


class AccessLogger(Logger):
    """Gunicorn's access log, with nothing in it that lets a reader in: no HTTP Basic user name
    (Greenhouse and Ashby send the API key there), no secret in a link's path, no credential
    header (if a custom --access-logformat names one)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["u"] = "-"
        for name in ("r", "U", "f"):
            if isinstance(atoms.get(name), str):
                atoms[name] = SECRET_PATH.sub(rf"\1{REDACTED}", atoms[name])
        for name in atoms:
            if name.startswith("{") and SECRET_HEADER.search(name):
                atoms[name] = REDACTED
        return atoms


logger_class = AccessLogger


def metrics_dir() -> Path:
    # settings.py's rule (MARIOHR_VAR_DIR/prometheus unless PROMETHEUS_MULTIPROC_DIR is set).
    var_dir = Path(os.environ.get("MARIOHR_VAR_DIR", BASE_DIR / "var"))
    return Path(os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(var_dir / "prometheus")))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process, alive
    return True


def metrics_files_prune(path: Path) -> int:
    """Remove the sample files of processes no longer running; returns how many."""
    removed = 0
    for file in path.glob("*.db"):
        pid = file.stem.rpartition("_")[2]
        if pid.isdigit() and not _alive(int(pid)):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def on_starting(server) -> None:
    path = metrics_dir()
    path.mkdir(parents=True, exist_ok=True)
    removed = metrics_files_prune(path)
    server.log.info("Metrics: %s (%d stale sample files removed)", path, removed)


def child_exit(server, worker) -> None:
    # Imported after on_starting set the directory: prometheus-client reads it at import.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

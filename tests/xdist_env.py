"""Each pytest-xdist worker gets its own files and Redis database.

Loaded with ``-p tests.xdist_env`` (the Makefile), so it runs before pytest-django
reads the settings. Workers would otherwise share var/ (the file cache one test clears while
another counts failed logins, the broker folder, media, the Prometheus samples) and the Redis
database that one test empties on purpose. pytest-django already gives each worker its own test
database.
"""

import os
import re
from pathlib import Path

REDIS_URL_SETTINGS = ("CELERY_BROKER_URL", "MARIOHR_TEST_REDIS_URL", "MARIOHR_CACHE_URL")
REDIS_DATABASES = 16  # Redis's default; CI's base database plus the worker's number wraps.


def redis_url_for_worker(url: str, index: int) -> str:
    match = re.fullmatch(r"(rediss?://[^/]*)(?:/(\d+))?(\?.*)?", url)
    if not match:
        return url
    base, database, query = match.groups()
    return f"{base}/{(int(database or 0) + index) % REDIS_DATABASES}{query or ''}"


worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if worker.startswith("gw"):
    index = int(worker.removeprefix("gw"))
    root = Path(__file__).resolve().parent.parent
    var_dir = Path(os.environ.get("MARIOHR_VAR_DIR", root / "var")) / "xdist" / worker
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["MARIOHR_VAR_DIR"] = str(var_dir)
    # The controller's settings already set this to the shared var/prometheus, and workers
    # inherit its environment: /metrics would add up every worker's calls.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(var_dir / "prometheus")
    for name in REDIS_URL_SETTINGS:
        if os.environ.get(name):
            os.environ[name] = redis_url_for_worker(os.environ[name], index)

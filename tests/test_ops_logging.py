"""Log lines carry the request id: one JSON object per line under MARIOHR_LOG_FORMAT=json,
human-readable by default (make run). Each case runs Django's real LOGGING in a process of
its own, as the web server would."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

REQUESTS = """
import logging
import django
django.setup()
from django.test import Client
client = Client()
client.get("/no-such-page", headers={"X-Request-ID": "req-404-abc"})
client.get("/readyz", headers={"X-Request-ID": "req-ready-xyz"})
logging.getLogger("mariohr.probe").warning("outside any request")
try:
    raise ValueError("boom")
except ValueError:
    logging.getLogger("mariohr.probe").exception("with a traceback")
"""


def run_logging(tmp_path, **env) -> list[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if k != "MARIOHR_LOG_FORMAT"},
        "DJANGO_SETTINGS_MODULE": "mariohr.settings",
        # A broker nothing listens on: /readyz logs its failure inside the request.
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "MARIOHR_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'logging.sqlite3'}",
        "MARIOHR_PLAIN_STATIC": "true",
        **env,
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", REQUESTS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_json_log_lines_carry_the_request_id(tmp_path):
    lines = run_logging(tmp_path, MARIOHR_LOG_FORMAT="json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    not_found = next(r for r in records if r["event"] == "Not Found: /no-such-page")
    assert not_found["request_id"] == "req-404-abc"
    assert not_found["level"] == "warning"
    assert not_found["logger"] == "django.request"
    assert not_found["timestamp"].endswith("Z")
    broker = next(r for r in records if r["logger"] == "mariohr.ops" and "broker" in r["event"])
    # Logged in the check's own thread, still under the request's id.
    assert broker["request_id"] == "req-ready-xyz"
    outside = next(r for r in records if r["event"] == "outside any request")
    assert outside["request_id"] == ""
    failure = next(r for r in records if r["event"] == "with a traceback")
    assert "ValueError: boom" in failure["exception"]


def test_plain_log_lines_carry_the_request_id_by_default(tmp_path):
    lines = run_logging(tmp_path)
    (not_found,) = [line for line in lines if "Not Found: /no-such-page" in line]
    assert " WARNING django.request [req-404-abc] Not Found" in not_found
    with pytest.raises(ValueError):
        json.loads(not_found)
    (outside,) = [line for line in lines if "outside any request" in line]
    assert "[-] outside any request" in outside


def test_an_unknown_log_format_is_refused(tmp_path):
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "mariohr.settings",
            "MARIOHR_VAR_DIR": str(tmp_path),
            "MARIOHR_LOG_FORMAT": "xml",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MARIOHR_LOG_FORMAT must be plain or json" in result.stderr

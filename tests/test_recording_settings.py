"""Startup check: MARIOHR_RECORDING_URL_TTL must be 1..604800 seconds (S3 SigV4's 7 days)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import django
from django.conf import settings
django.setup()
print(settings.MARIOHR_RECORDING_URL_TTL)
"""


def load(tmp_path, ttl: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "CELERY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(tmp_path),
        MARIOHR_RECORDING_URL_TTL=ttl,
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("ttl", ["0", "604801", "-5"])
def test_recording_url_ttl_out_of_range_fails_startup(tmp_path, ttl):
    result = load(tmp_path, ttl)
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "MARIOHR_RECORDING_URL_TTL must be 1..604800 seconds" in result.stderr


@pytest.mark.parametrize("ttl", ["1", "604800"])
def test_recording_url_ttl_bounds_are_accepted(tmp_path, ttl):
    result = load(tmp_path, ttl)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == ttl

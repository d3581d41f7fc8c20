"""A malformed setting stops start-up with ImproperlyConfigured naming the variable (README
"Settings"), never a bare Python error; a dotted path that does not import fails
`manage.py check`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import registry
from django.core.management import call_command
from django.core.management.base import SystemCheckError

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in (
    "MARIOHR_CALLBACK_PORTS", "MARIOHR_DELIVERY_RETRY_SCHEDULE", "MARIOHR_BASE_URL", "LOG_LEVEL",
)}))
"""


def run(tmp_path, *args: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "CELERY_"))}
    for name in ("DATABASE_URL", "LOG_LEVEL", "EMAIL_BACKEND", "DEBUG", "ALLOWED_HOSTS"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE="mariohr.settings", MARIOHR_VAR_DIR=str(tmp_path))
    env.update(overrides)
    return subprocess.run(  # noqa: S603
        [sys.executable, *(args or ("-c", PROBE))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MARIOHR_CALLBACK_PORTS", "443,abc", "MARIOHR_CALLBACK_PORTS must be integers, got 'abc'"),
        ("MARIOHR_CALLBACK_PORTS", "443,0", "MARIOHR_CALLBACK_PORTS entries must be 1..65535"),
        ("MARIOHR_CALLBACK_PORTS", "65536", "MARIOHR_CALLBACK_PORTS entries must be 1..65535"),
        ("MARIOHR_CALLBACK_PORTS", " , ", "MARIOHR_CALLBACK_PORTS must list at least one"),
        (
            "MARIOHR_DELIVERY_RETRY_SCHEDULE",
            "5,x",
            "MARIOHR_DELIVERY_RETRY_SCHEDULE must be integers, got 'x'",
        ),
        (
            "MARIOHR_DELIVERY_RETRY_SCHEDULE",
            "0,-5",
            "MARIOHR_DELIVERY_RETRY_SCHEDULE entries must be at least 0, got -5",
        ),
        ("MARIOHR_DELIVERY_RETRY_SCHEDULE", "", "MARIOHR_DELIVERY_RETRY_SCHEDULE must list"),
        ("LOG_LEVEL", "verbose", "LOG_LEVEL must be one of DEBUG, INFO"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL must be a database URL"),
        ("DATABASE_URL", "mysqlx://u:p@db/x", "got scheme 'mysqlx'"),
        ("DATABASE_URL", "postgres://u:p@db:port/x", "DATABASE_URL must be a database URL"),
        ("MARIOHR_BASE_URL", "notaurl", "MARIOHR_BASE_URL must be an http:// or https:// URL"),
        ("MARIOHR_BASE_URL", "ftp://files.example.com", "MARIOHR_BASE_URL must be an http://"),
        ("MARIOHR_BASE_URL", "https://", "MARIOHR_BASE_URL must be an http:// or https://"),
        ("MARIOHR_BASE_URL", "https://a.example:99999", "MARIOHR_BASE_URL must be an http://"),
        ("MARIOHR_SIMILARITY_THRESHOLD", "high", "MARIOHR_SIMILARITY_THRESHOLD must be a number"),
        ("MARIOHR_SIMILARITY_THRESHOLD", "nan", "MARIOHR_SIMILARITY_THRESHOLD must be between"),
    ],
)
def test_a_malformed_value_stops_start_up_naming_the_variable(tmp_path, name, value, message):
    result = run(tmp_path, **{name: value})
    assert result.returncode != 0, result.stdout
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    assert message in last_line


def test_a_malformed_database_url_never_echoes_its_password(tmp_path):
    result = run(tmp_path, DATABASE_URL="postgres://u:s3cret-pw@db:port/x")
    assert "ImproperlyConfigured" in result.stderr
    assert "s3cret-pw" not in result.stderr
    result = run(tmp_path, DATABASE_URL="s3cret-pw")
    assert "got no URL" in result.stderr and "s3cret-pw" not in result.stderr


def test_well_formed_values_are_accepted(tmp_path):
    result = run(
        tmp_path,
        MARIOHR_CALLBACK_PORTS="1, 443,65535",
        MARIOHR_DELIVERY_RETRY_SCHEDULE="0,5,60",
        MARIOHR_BASE_URL="https://assess.example.com:8443/hr/",
        LOG_LEVEL="warning",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {
        "MARIOHR_CALLBACK_PORTS": [1, 443, 65535],
        "MARIOHR_DELIVERY_RETRY_SCHEDULE": [0, 5, 60],
        "MARIOHR_BASE_URL": "https://assess.example.com:8443/hr",
        "LOG_LEVEL": "WARNING",
    }


def test_manage_py_check_refuses_an_email_backend_that_does_not_import(tmp_path):
    result = run(tmp_path, "manage.py", "check", EMAIL_BACKEND="no.such.Backend")
    assert result.returncode != 0
    assert "mariohr.E001" in result.stderr
    assert "EMAIL_BACKEND = 'no.such.Backend' cannot be imported" in result.stderr
    assert "HINT: Set EMAIL_BACKEND to the dotted path" in result.stderr


def test_manage_py_check_passes_with_the_defaults(tmp_path):
    result = run(tmp_path, "manage.py", "check")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "check_id"),
    [
        ("EMAIL_BACKEND", "no.such.Backend", "mariohr.E001"),
        ("EMAIL_BACKEND", "django.core.mail.backends.smtp.NoSuchBackend", "mariohr.E001"),
        ("MARIOHR_RECORDING_TRANSCRIBER", "no.such.fn", "mariohr.E002"),
        ("MARIOHR_RECORDING_TRANSCRIBER", "assessments.recordings.transcribe", "mariohr.E002"),
        (
            "MARIOHR_RECORDING_TRANSCRIBER",
            "assessments.recordings.transcribe.PAD_SECONDS",
            "mariohr.E002",
        ),
    ],
)
def test_a_dotted_path_that_does_not_import_fails_the_check(settings, name, value, check_id):
    setattr(settings, name, value)
    errors = [e for e in registry.run_checks() if e.id.startswith("mariohr.E")]
    assert [e.id for e in errors] == [check_id]
    assert name in errors[0].msg and repr(value) in errors[0].msg
    assert errors[0].hint
    with pytest.raises(SystemCheckError, match=name):
        call_command("check")


def test_the_default_dotted_paths_pass_the_check():
    assert not [e for e in registry.run_checks() if e.id.startswith("mariohr.")]

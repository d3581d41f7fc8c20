import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from mariohr.settings import envbool, envint, envlist

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
from django.conf import settings
import django
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"),
    "broker": settings.CELERY_BROKER_URL,
    "transport": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "base_url": settings.MARIOHR_BASE_URL, "debug": settings.DEBUG,
    "allowed_hosts": settings.ALLOWED_HOSTS, "ports": settings.MARIOHR_CALLBACK_PORTS,
    "allowlist": settings.MARIOHR_CALLBACK_ALLOWLIST, "email": settings.EMAIL_BACKEND,
    "secret_len": len(settings.SECRET_KEY), "static": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def load_settings(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MARIOHR_", "CELERY_"))}
    for name in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_BACKEND"):
        clean.pop(name, None)
    clean.update(DJANGO_SETTINGS_MODULE="mariohr.settings", MARIOHR_VAR_DIR=str(tmp_path))
    clean.update(env)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_need_no_server(tmp_path):
    loaded = load_settings(tmp_path)
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(tmp_path / "mariohr.sqlite3")
    assert loaded["broker"] == "filesystem://"
    for folder in ("data_folder_in", "processed_folder", "control_folder"):
        assert loaded["transport"][folder].startswith(str(tmp_path))
    assert loaded["base_url"] == "http://127.0.0.1:8000"
    assert loaded["debug"] is False
    assert loaded["ports"] == [443, 8443]
    assert loaded["allowlist"] == []
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["secret_len"] >= 50
    assert "Manifest" in loaded["static"]
    # The development secret key is generated once and kept private.
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides(tmp_path):
    loaded = load_settings(
        tmp_path,
        DATABASE_URL="postgres://u:p@db.internal:5432/mariohr",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        MARIOHR_BASE_URL="https://assess.example.com/",
        MARIOHR_CALLBACK_PORTS="443",
        MARIOHR_CALLBACK_ALLOWLIST="127.0.0.1, 10.0.0.0/8 ,receiver.test",
        DEBUG="true",
        ALLOWED_HOSTS="assess.example.com",
        SECRET_KEY="x" * 60,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["host"] == "db.internal"
    assert loaded["broker"] == "redis://cache.internal:6379/0"
    assert loaded["transport"] == {}
    assert loaded["base_url"] == "https://assess.example.com"
    assert loaded["ports"] == [443]
    assert loaded["allowlist"] == ["127.0.0.1", "10.0.0.0/8", "receiver.test"]
    assert loaded["debug"] is True
    assert loaded["allowed_hosts"] == ["assess.example.com"]
    assert loaded["secret_len"] == 60
    assert loaded["email"].endswith("smtp.EmailBackend")


def test_a_bad_boolean_fails_loudly(tmp_path):
    clean = {**os.environ, "MARIOHR_VAR_DIR": str(tmp_path), "DEBUG": "maybe"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "mariohr.settings"},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "Yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a, ,b ")
    assert envbool("X_BOOL") is True
    assert envbool("X_UNSET_BOOL", "0") is False
    assert envint("X_INT", "1") == 42
    assert envlist("X_LIST") == ["a", "b"]
    monkeypatch.setenv("X_INT", "forty-two")
    with pytest.raises(ImproperlyConfigured, match="X_INT must be an integer"):
        envint("X_INT", "1")


def test_partner_api_settings():
    from django.conf import settings

    assert settings.APPEND_SLASH is False
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "integrations.auth.ApiKeyAuthentication"
    ]
    assert settings.MARIOHR_MAX_REQUEST_BYTES <= 1024 * 1024


def test_api_schema_describes_the_greenhouse_endpoints(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    for name in ("list_tests", "send_test", "test_status", "response_error"):
        assert any(path.startswith(f"/api/greenhouse/{name}") for path in schema["paths"]), name
    assert schema["components"]["securitySchemes"]["organizationApiKey"]["scheme"] == "basic"


def test_api_schema_describes_the_ashby_endpoints_without_errors(client, db):
    from django.core.management import call_command

    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    start = schema["paths"]["/api/ashby/assessment.start/"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AssessmentStartInput"
    )
    assert {"200", "401", "409", "422"} <= set(start["responses"])
    for name in ("list", "cancel"):
        assert f"/api/ashby/assessment.{name}/" in schema["paths"]
    # --fail-on-warn: any view the generator cannot describe fails this test.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)

"""The production switch (MARIOHR_PRODUCTION=true): what it refuses, what it turns on.

Every test starts a fresh process with the documented production environment, because
settings are read once at start-up.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
HOST = "assess.example.com"
ONE_YEAR = 365 * 24 * 3600

PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name) for name in (
    "MARIOHR_PRODUCTION", "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
)}))
"""


def production_env(tmp_path, **overrides) -> dict:
    """The README's production environment on a throwaway SQLite file; an override of None
    removes the variable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MARIOHR_", "CELERY_", "DJANGO_"))
        and k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="mariohr.settings",
        MARIOHR_VAR_DIR=str(tmp_path),
        MARIOHR_PRODUCTION="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        MARIOHR_FERNET_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS=HOST,
        MARIOHR_BASE_URL=f"https://{HOST}",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        MARIOHR_CACHE_URL=os.environ.get("MARIOHR_TEST_REDIS_URL", "redis://127.0.0.1:6379/5"),
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(env: dict) -> dict:
    result = run(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_under_the_documented_production_settings(tmp_path):
    result = run(
        production_env(tmp_path), "manage.py", "check", "--deploy", "--fail-level", "WARNING"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output and "?: (security." not in output


def test_check_deploy_warns_in_development_mode(tmp_path):
    # The same command fails without the switch: the clean result above is the switch's doing.
    env = production_env(tmp_path, MARIOHR_PRODUCTION=None)
    result = run(env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set."),
        ({"SECRET_KEY": "x" * 80}, "SECRET_KEY is weak"),
        ({"SECRET_KEY": "short-but-varied"}, "SECRET_KEY is weak"),
        ({"MARIOHR_FERNET_KEYS": None}, "MARIOHR_FERNET_KEYS is not set"),
        ({"DEBUG": "true"}, "DEBUG is on."),
        ({"MARIOHR_BASE_URL": f"http://{HOST}"}, "MARIOHR_BASE_URL must start with https://"),
        ({"MARIOHR_CACHE_URL": None}, "MARIOHR_CACHE_URL is not set"),
        ({"MARIOHR_CALLBACK_ALLOWLIST": "10.0.0.0/8"}, "it bypasses the SSRF guard"),
    ],
    ids=[
        "no-secret-key",
        "repetitive-secret-key",
        "short-secret-key",
        "no-fernet-keys",
        "debug",
        "http-base-url",
        "no-shared-cache",
        "ssrf-allowlist",
    ],
)
def test_production_mode_refuses_to_start(tmp_path, overrides, problem):
    result = run(production_env(tmp_path, **overrides), "-c", "import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured: Production mode (MARIOHR_PRODUCTION=true)" in result.stderr
    assert problem in result.stderr
    # No development fallback was written on the way.
    assert not (tmp_path / "secret_key").exists()


def test_production_mode_lists_every_problem_at_once(tmp_path):
    env = production_env(tmp_path, SECRET_KEY=None, MARIOHR_FERNET_KEYS=None, DEBUG="1")
    result = run(env, "manage.py", "check")
    assert result.returncode != 0
    for problem in ("SECRET_KEY is not set.", "MARIOHR_FERNET_KEYS is not set", "DEBUG is on."):
        assert problem in result.stderr


@pytest.mark.parametrize("production", [True, False], ids=["production", "development"])
@pytest.mark.parametrize(
    ("keys", "position"),
    [("not-a-fernet-key", 1), (f"{Fernet.generate_key().decode()},c2hvcnQ=", 2)],
    ids=["garbage", "second-too-short"],
)
def test_a_malformed_fernet_key_stops_start_up_without_echoing_it(
    tmp_path, production, keys, position
):
    env = production_env(tmp_path, MARIOHR_FERNET_KEYS=keys)
    if not production:
        env.pop("MARIOHR_PRODUCTION")
    result = run(env, "manage.py", "check")
    assert result.returncode != 0
    assert f"MARIOHR_FERNET_KEYS: entry {position} is not a Fernet key" in result.stderr
    assert keys.split(",")[-1] not in result.stderr


def test_production_mode_turns_on_https_only(tmp_path):
    loaded = probe(production_env(tmp_path))
    assert loaded["MARIOHR_PRODUCTION"] is True and loaded["DEBUG"] is False
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$", r"^readyz$", r"^metrics$"]
    assert loaded["SECURE_HSTS_SECONDS"] == ONE_YEAR
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    assert loaded["SESSION_COOKIE_SECURE"] is True and loaded["CSRF_COOKIE_SECURE"] is True
    assert loaded["SECURE_REFERRER_POLICY"] == "same-origin"
    assert loaded["X_FRAME_OPTIONS"] == "DENY"
    assert loaded["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert loaded["SECURE_PROXY_SSL_HEADER"] is None


def test_each_https_setting_can_be_overridden(tmp_path):
    loaded = probe(
        production_env(
            tmp_path,
            MARIOHR_SSL_REDIRECT="false",
            MARIOHR_HSTS_SECONDS="600",
            MARIOHR_HSTS_INCLUDE_SUBDOMAINS="false",
            MARIOHR_HSTS_PRELOAD="false",
            MARIOHR_SECURE_COOKIES="false",
            MARIOHR_REFERRER_POLICY="no-referrer",
            MARIOHR_BEHIND_PROXY="true",
        )
    )
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False and loaded["CSRF_COOKIE_SECURE"] is False
    assert loaded["SECURE_REFERRER_POLICY"] == "no-referrer"
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_mode_needs_nothing_and_stays_on_http(tmp_path):
    env = production_env(
        tmp_path,
        MARIOHR_PRODUCTION=None,
        SECRET_KEY=None,
        MARIOHR_FERNET_KEYS=None,
        ALLOWED_HOSTS=None,
        MARIOHR_BASE_URL=None,
        DATABASE_URL=None,
    )
    loaded = probe(env)
    assert loaded["MARIOHR_PRODUCTION"] is False
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert (tmp_path / "secret_key").exists()


def test_development_pages_carry_no_hsts_and_no_redirect(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_server(tmp_path):
    """gunicorn (the Procfile's web server) in production mode behind a TLS proxy, which the
    test plays by sending X-Forwarded-Proto."""
    port = free_port()
    # Plain static storage: the admin page renders without a collectstatic run.
    env = production_env(tmp_path, MARIOHR_BEHIND_PROXY="true", MARIOHR_PLAIN_STATIC="true")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "mariohr.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{base}/healthz", headers={"Host": HOST}, timeout=10)
            break
        except (requests.ConnectionError, requests.Timeout):
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"gunicorn did not start: {server.stderr.read().decode()}")
            time.sleep(0.2)
    yield base
    server.terminate()
    server.wait(timeout=30)


def get(url: str, *, https: bool):
    headers = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if https else {})}
    return requests.get(url, headers=headers, allow_redirects=False, timeout=10)


@pytest.mark.slow
def test_production_server_redirects_to_https_and_sends_hsts(production_server):
    plain = get(f"{production_server}/admin/login/?next=/admin/", https=False)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://{HOST}/admin/login/?next=/admin/"

    secure = get(f"{production_server}/admin/login/", https=True)
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == (
        f"max-age={ONE_YEAR}; includeSubDomains; preload"
    )
    assert secure.headers["X-Frame-Options"] == "DENY"
    assert secure.headers["Referrer-Policy"] == "same-origin"
    assert secure.headers["X-Content-Type-Options"] == "nosniff"
    csrf_cookie = next(c for c in secure.cookies if c.name == "csrftoken")
    assert csrf_cookie.secure


@pytest.mark.slow
def test_production_server_answers_plain_http_health_probes(production_server):
    probe_response = get(f"{production_server}/healthz", https=False)
    assert probe_response.status_code == 200
    assert probe_response.json() == {"status": "ok"}
    # HSTS only ever goes out over HTTPS (a browser ignores it on plain HTTP anyway).
    assert "Strict-Transport-Security" not in probe_response.headers
    assert "Strict-Transport-Security" in get(f"{production_server}/healthz", https=True).headers

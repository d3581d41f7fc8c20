"""Fixtures for the delivery tests: a real HTTPS receiver with its own CA, signature checks,
Celery broker switching and real worker processes."""

import base64
import hashlib
import hmac
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
import trustme
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import Client
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from assessments import services as lifecycle
from assessments.models import Interview
from integrations.credentials import webhook_secret_get
from integrations.delivery import services as delivery_services
from integrations.delivery.models import Delivery
from integrations.greenhouse.credentials import outbound_credentials_set

ROOT = Path(__file__).resolve().parent.parent
RECEIVER_HOST = "receiver.mariohr.test"
TEST_REDIS_URL = os.environ.get("MARIOHR_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


@pytest.fixture(scope="session")
def tls_ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(tls_ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return str(path)


def server_context(ca: trustme.CA, *hostnames: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*hostnames).configure_cert(context)
    return context


@contextmanager
def https_server(context: ssl.SSLContext):
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture
def receiver(tls_ca, ca_file, settings, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 trusted through REQUESTS_CA_BUNDLE, reachable as
    ``localhost`` and as RECEIVER_HOST (a name our resolver maps to 127.0.0.1)."""
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["localhost", RECEIVER_HOST]
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    real_resolve = __import__("integrations.ssrf", fromlist=["resolve"]).resolve

    def resolve(hostname, port):
        return ["127.0.0.1"] if hostname == RECEIVER_HOST else real_resolve(hostname, port)

    monkeypatch.setattr("integrations.ssrf.resolve", resolve)
    with https_server(server_context(tls_ca, "localhost", RECEIVER_HOST)) as server:
        yield server


@contextmanager
def fake_ats_server(tls_ca, ca_file, settings, monkeypatch):
    """An HTTPS server on ``localhost`` for a fake ATS: callbacks to it allowed, its CA
    trusted, retries immediate and without jitter."""
    settings.MARIOHR_CALLBACK_ALLOWLIST = ["localhost"]
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0, 0, 0, 0]
    settings.MARIOHR_DELIVERY_JITTER_PERCENT = 0
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca_file)
    with https_server(server_context(tls_ca, "localhost")) as server:
        yield server


def send_all_due(interview) -> list[Delivery]:
    """Attempt every due delivery of the interview, in order, as a worker would."""
    for delivery in Delivery.objects.filter(interview=interview).order_by("pk"):
        delivery_services.delivery_attempt(delivery_id=delivery.pk)
    return list(Delivery.objects.filter(interview=interview).order_by("pk"))


@contextmanager
def delivery_worker(settings, name: str):
    """A real Celery worker in this process, consuming a delivery queue of its own."""
    from mariohr.celery import app

    settings.MARIOHR_DELIVERY_QUEUE = queue = f"{name}-test-{uuid.uuid4().hex[:10]}"
    with start_worker(app, queues=[queue], perform_ping_check=False, loglevel="WARNING"):
        yield


def candidate_completes(interview: Interview, *, score: Decimal = Decimal("87")) -> None:
    """The candidate starts and submits on the candidate pages, then the interview is scored."""
    candidate = Client()
    assert candidate.post(f"/t/{interview.candidate_token}/start").status_code in (200, 302)
    assert candidate.post(f"/t/{interview.candidate_token}/submit").status_code in (200, 302)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.SUBMITTED
    lifecycle.interview_score(interview=interview, score=score)


def bearer_client(token: str) -> APIClient:
    """An API client calling as an ATS with ``Authorization: Bearer <token>``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def receiver_url(server: HTTPServer, path: str = "/callback", host: str = RECEIVER_HOST) -> str:
    return f"https://{host}:{server.port}{path}"


def signature_valid(request, secret: str) -> bool:
    """Verify a Standard Webhooks signature the way a receiver would."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = (
        f"{request.headers['webhook-id']}.{request.headers['webhook-timestamp']}.".encode()
        + request.get_data()
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in request.headers["webhook-signature"].split()]
    return any(hmac.compare_digest(expected, s) for s in offered)


def basic_credentials(request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    assert scheme == "Basic"
    username, _, password = base64.b64decode(encoded).decode().partition(":")
    return username, password


@pytest.fixture
def outbound_org(org):
    outbound_credentials_set(organization=org, username="gh-partner", password="s3cret-pass")
    org.webhook_secret = webhook_secret_get(organization=org)
    return org


@pytest.fixture
def make_interview(outbound_org, catalog):
    """Interviews through the lifecycle services, with a callback URL on the receiver."""
    counter = iter(range(1_000_000))

    def make(callback_url: str, status: str = "sent") -> Interview:
        interview, _ = lifecycle.interview_send(
            organization=outbound_org,
            test=catalog["py-fastapi-review"],
            candidate=lifecycle.CandidateData(
                first_name="Harry", last_name="Potter", email="hpotter@hogwarts.edu"
            ),
            source="greenhouse",
            callback_url=f"{callback_url}?n={next(counter)}",
        )
        if status in ("in_progress", "submitted", "complete"):
            interview = lifecycle.interview_start(interview=interview)
        if status in ("submitted", "complete"):
            interview = lifecycle.interview_submit(interview=interview)
        return interview

    return make


def body_of(request) -> dict:
    return json.loads(request.get_data())


# --- Celery -------------------------------------------------------------------------------


def redis_reachable(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


@contextmanager
def celery_broker(url: str):
    """Point the in-process Celery app at another broker for the duration."""
    from mariohr.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)
    # Celery reads $CELERY_BROKER_URL before its own setting (CI sets it): point it there too.
    saved_environ = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    _reset_pools(app)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {} if not url.startswith("filesystem") else saved[1]
    try:
        yield app
    finally:
        _reset_pools(app)
        if saved_environ is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_environ
        app.conf.broker_url, app.conf.broker_transport_options = saved
        delivery_services._broker_unavailable_until = 0.0


def _reset_pools(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


def database_url_for_workers() -> str:
    """The URL of the database pytest-django created, for worker processes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def worker_process(*, queue: str, broker_url: str | None, ca_file: str, log_path: Path, **env):
    """A real ``celery -A mariohr worker`` process on the test database."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_workers(),
        "MARIOHR_DELIVERY_QUEUE": queue,
        "MARIOHR_CALLBACK_ALLOWLIST": "localhost",
        "REQUESTS_CA_BUNDLE": ca_file,
        **env,
    }
    if broker_url:
        environment["CELERY_BROKER_URL"] = broker_url
    log = open(log_path, "ab")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "mariohr",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{queue}-{time.monotonic_ns()}@localhost",
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        log.close()


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message or predicate}")

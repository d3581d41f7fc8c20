"""/metrics: refused without the token or an allowed network, and counting what happened
(partner calls by route name and status, delivery attempts by kind and outcome, sweeper
runs), across processes (prometheus-client's multiprocess mode), with the queue lag and the
recordings backlog read at scrape."""

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from werkzeug import Response

from integrations.delivery.models import Delivery
from integrations.delivery.tasks import sweep_deliveries
from mariohr import ops_celery
from tests import delivery_helpers as helpers
from tests.delivery_helpers import receiver_url, send_all_due

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
outbound_org, make_interview = helpers.outbound_org, helpers.make_interview

TOKEN = "metrics-token-" + "x" * 24
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def scrape(client, settings, db):
    settings.MARIOHR_METRICS_TOKEN = TOKEN

    def get() -> str:
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    return get


def sample(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return found.value
    return 0.0


def total(text: str, name: str, **labels) -> float:
    """The sum of every sample of ``name`` with these labels (any others)."""
    return sum(
        found.value
        for family in text_string_to_metric_families(text)
        for found in family.samples
        if found.name == name and all(found.labels.get(k) == v for k, v in labels.items())
    )


def test_metrics_are_refused_without_the_token(client, db, settings):
    settings.MARIOHR_METRICS_TOKEN = TOKEN
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response.json()["error"] == "forbidden"
    assert response["WWW-Authenticate"].startswith("Bearer")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert b"mariohr_" not in wrong.content


def test_metrics_answer_an_allowed_network_only(client, db, settings):
    settings.MARIOHR_METRICS_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_metrics_are_off_in_production_without_token_or_network(client, db, settings):
    settings.MARIOHR_PRODUCTION = True
    assert client.get("/metrics").status_code == 404


def test_metrics_answer_loopback_in_development_without_settings(client, db):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_a_partner_call_is_counted_by_route_name_and_status(scrape, api):
    labels = {"endpoint": "greenhouse-list-tests", "method": "GET"}
    before = scrape()
    assert api.get("/api/greenhouse/list_tests").status_code == 200
    assert (
        api.get("/api/greenhouse/test_status", {"partner_interview_id": "nope"}).status_code == 404
    )
    after = scrape()

    ok = "mariohr_api_requests_total"
    assert (
        sample(after, ok, status="200", **labels) == sample(before, ok, status="200", **labels) + 1
    )
    missing = {"endpoint": "greenhouse-test-status", "method": "GET", "status": "404"}
    assert sample(after, ok, **missing) == sample(before, ok, **missing) + 1
    # One latency sample per call, whatever its status.
    latency = "mariohr_api_request_duration_seconds_count"
    for endpoint in ("greenhouse-list-tests", "greenhouse-test-status"):
        assert total(after, ok, endpoint=endpoint) - total(before, ok, endpoint=endpoint) == 1
        assert (
            sample(after, latency, endpoint=endpoint) - sample(before, latency, endpoint=endpoint)
            == 1
        )
    # The route's name, never the raw path (a path with an id would be a series per id).
    assert "/api/greenhouse" not in after


def test_each_test_worker_keeps_its_own_samples(settings):
    """pytest-xdist workers inherit the controller's PROMETHEUS_MULTIPROC_DIR; sharing it, one
    worker's scrape counted another's partner calls (tests/xdist_env.py)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.skip("one test process: nothing to share")
    var_dir = Path(os.environ["MARIOHR_VAR_DIR"]).resolve()
    assert Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).resolve().is_relative_to(var_dir)
    assert Path(settings.MARIOHR_METRICS_DIR).resolve().is_relative_to(var_dir)


def test_a_delivery_attempt_is_counted_by_kind_and_outcome(
    scrape, receiver, make_interview, outbound_org
):
    receiver.expect_request("/callback", method="PATCH").respond_with_response(Response("", 200))
    interview = make_interview(receiver_url(receiver), status="submitted")
    from assessments import services as lifecycle

    lifecycle.interview_score(interview=interview, score=87)
    labels = {"kind": "results_patch", "outcome": "success"}
    before = scrape()
    (delivery,) = send_all_due(interview)
    assert delivery.status == Delivery.Status.SUCCEEDED
    after = scrape()
    name = "mariohr_delivery_attempts_total"
    assert sample(after, name, **labels) == sample(before, name, **labels) + 1
    timing = "mariohr_delivery_attempt_duration_seconds_count"
    assert (
        sample(after, timing, kind="results_patch")
        == sample(before, timing, kind="results_patch") + 1
    )


def test_the_queue_lag_is_the_oldest_due_delivery_s_age(scrape, org):
    assert sample(scrape(), "mariohr_delivery_queue_lag_seconds") == 0
    now = timezone.now()
    for age, status in [(300, "pending"), (120, "retrying"), (900, "succeeded"), (-60, "pending")]:
        Delivery.objects.create(
            organization=org,
            kind="results_patch",
            target_url="https://ats.example/callback",
            endpoint="https://ats.example",
            status=status,
            next_attempt_at=now - timedelta(seconds=age),
        )
    # The succeeded one is not waiting, the one due in a minute is not late yet.
    lag = sample(scrape(), "mariohr_delivery_queue_lag_seconds")
    assert 300 <= lag < 330


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
def test_the_queue_lag_is_one_query_the_partial_index_serves(db):
    from mariohr.metrics_export import _delivery_queue_lag

    with CaptureQueriesContext(connection) as queries:
        _delivery_queue_lag()
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        # A test table is tiny, so the planner would rather scan it: without that choice,
        # the plan shows the partial index matches the query's condition and order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "delivery_due" in plan, plan
    assert "Sort" not in plan, plan


def test_recordings_waiting_are_counted_at_scrape(scrape, recording_interview):
    from assessments.recordings.models import Recording

    assert sample(scrape(), "mariohr_recordings_waiting") == 0
    Recording.objects.update_or_create(
        interview=recording_interview(), defaults={"status": Recording.Status.PENDING}
    )
    Recording.objects.update_or_create(
        interview=recording_interview(), defaults={"status": Recording.Status.PROCESSING}
    )
    text = scrape()
    assert sample(text, "mariohr_recordings_waiting") == 1
    assert sample(text, "mariohr_recordings_processing") == 1


def test_sweeper_runs_and_recording_processing_are_counted(scrape, db):
    labels = {"sweeper": "sweep_deliveries", "state": "SUCCESS"}
    before = scrape()
    sweep_deliveries.apply()  # runs the task's signals as a worker would
    ops_celery._task_metrics(ops_celery.RECORDING_PROCESSING_TASK, "SUCCESS", 42.0)
    after = scrape()
    runs = "mariohr_sweeper_runs_total"
    assert sample(after, runs, **labels) == sample(before, runs, **labels) + 1
    processing = "mariohr_recording_processing_seconds_count"
    assert (
        sample(after, processing, state="SUCCESS")
        == sample(before, processing, state="SUCCESS") + 1
    )


def test_metrics_of_every_process_of_the_host_are_added_up(scrape, tmp_path):
    """A gunicorn worker or a Celery worker counts in its own process: the scrape, in
    another, still sees it."""
    sweeper = f"probe-{uuid.uuid4().hex[:8]}"
    code = (
        "import django; django.setup()\n"
        "from mariohr import metrics\n"
        f"metrics.sweeper_runs.labels({sweeper!r}, 'SUCCESS').inc(3)\n"
    )
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "mariohr.settings"},
        check=True,
        timeout=60,
    )
    assert sample(scrape(), "mariohr_sweeper_runs_total", sweeper=sweeper) == 3


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    process.wait(timeout=30)
    return process.pid


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_count_into_one_scrape(org, tmp_path):
    """The Procfile's web server: two workers, each counting in its own files, one /metrics;
    the master removed a dead process's files before forking."""
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    stale = metrics_dir / f"counter_{dead_pid()}.db"
    stale.write_bytes(b"")
    env = {
        **os.environ,
        "DATABASE_URL": helpers.database_url_for_workers(),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "MARIOHR_METRICS_TOKEN": TOKEN,
    }
    with gunicorn_serving(tmp_path / "gunicorn.log", env, "--workers", "2") as base:
        auth = (org.raw_key, "")
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(
                pool.map(
                    lambda _: (
                        requests.get(
                            f"{base}/api/greenhouse/list_tests", auth=auth, timeout=30
                        ).status_code
                    ),
                    range(20),
                )
            )
        assert statuses == [200] * 20
        text = requests.get(
            f"{base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10
        ).text
    labels = {"endpoint": "greenhouse-list-tests", "method": "GET", "status": "200"}
    assert sample(text, "mariohr_api_requests_total", **labels) == 20, text
    assert not stale.exists()


@contextmanager
def gunicorn_serving(log_path: Path, env: dict, *args: str):
    """The Procfile's web server (its gunicorn settings module) on a free port, writing its
    output to ``log_path``; yields its base URL."""
    port = helpers.free_port()
    log = open(log_path, "wb")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "mariohr.wsgi", "-c", "python:mariohr.ops_gunicorn"]
        + ["--bind", f"127.0.0.1:{port}", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        helpers.wait_for(
            lambda: _answers(f"{base}/healthz"), timeout=90, message="gunicorn to start"
        )
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or a worker still booting
        return False

"""/healthz answers while the process runs; /readyz checks the database, the broker and the
storage, each within a short timeout, and answers 503 naming what failed."""

import time

import pytest
from django.db import connections

from mariohr import ops
from tests.delivery_helpers import TEST_REDIS_URL, celery_broker, free_port, redis_reachable


def test_healthz_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_reports_each_check_and_its_time(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "storage"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert check["ms"] >= 0
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running")
@pytest.mark.django_db(transaction=True)
def test_readyz_is_ready_on_a_reachable_redis_broker(client):
    with celery_broker(TEST_REDIS_URL):
        response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["broker"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_readyz_names_a_broken_broker_with_503(client):
    # A port nothing listens on: the broker's connection is refused.
    broken = f"redis://127.0.0.1:{free_port()}/0"
    with celery_broker(broken):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["error"]
    # The others still answered.
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["storage"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_readyz_names_an_unreachable_database_with_503(client, monkeypatch):
    broken = {**connections["default"].settings_dict}
    if broken["ENGINE"].endswith("sqlite3"):
        broken["NAME"] = "/nonexistent-directory/mariohr.sqlite3"
    else:
        broken["PORT"] = str(free_port())  # nothing listens there

    def unreachable_database(timeout):
        # The check's thread has a connection of its own: point that one elsewhere.
        connections["default"].settings_dict = broken
        ops.database_check(timeout)

    monkeypatch.setitem(ops.CHECKS, "database", unreachable_database)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database"]
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["broker"]["ok"] is True


def test_readyz_gives_up_on_a_check_at_its_timeout(settings):
    settings.MARIOHR_READYZ_TIMEOUT_SECONDS = 1

    def hangs(timeout):
        time.sleep(5)

    started = time.monotonic()
    ready, checks = ops.readiness({"slow": hangs, "fine": lambda timeout: None})
    assert time.monotonic() - started < 3
    assert ready is False
    assert checks["slow"] == {"ok": False, "ms": 1000, "error": "timeout"}
    assert checks["fine"]["ok"] is True


@pytest.mark.django_db(transaction=True)
def test_readyz_names_a_failing_storage(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.test_ops_health.RefusingStorage"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["storage"]
    assert body["checks"]["storage"]["error"] == "PermissionError"


class RefusingStorage:
    """A storage whose backend refuses us (S3 answering 403 looks the same to the check)."""

    def exists(self, name):
        raise PermissionError("Access Denied")

    def url(self, name):
        return f"/media/{name}"

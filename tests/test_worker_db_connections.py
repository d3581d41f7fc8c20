"""A Celery worker keeps its database connection from task to task, as a web process keeps
it from request to request (settings.CELERY_DB_REUSE_MAX, mariohr/ops_celery.py): a new
PostgreSQL backend per delivery attempt, its catalog caches cold, cost more than the attempt.
Celery's own Django fixup and our signal handler run here as a worker runs them around a task.
"""

import time

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from integrations.delivery.models import Delivery
from integrations.delivery.tasks import attempt_delivery
from mariohr import ops_celery
from mariohr.celery import app

# Transactional: inside a test's transaction Django would close the connection anyway.
pytestmark = pytest.mark.django_db(transaction=True)


def run_task(fixup: DjangoWorkerFixup) -> None:
    fixup.on_task_prerun(sender=attempt_delivery)
    ops_celery._old_db_connections_close(task=attempt_delivery)
    assert Delivery.objects.count() == 0  # the task's work
    fixup.on_task_postrun(sender=attempt_delivery)
    ops_celery._old_db_connections_close(task=attempt_delivery)


def test_tasks_share_one_connection_until_it_is_old():
    fixup = DjangoWorkerFixup(app)
    assert fixup.db_reuse_max
    connection.ensure_connection()
    opened = connection.connection
    for _ in range(3):
        run_task(fixup)
    assert connection.connection is opened

    # Past DATABASE_CONN_MAX_AGE it is closed after the task, as after a request.
    connection.close_at = time.monotonic() - 1
    fixup.on_task_postrun(sender=attempt_delivery)
    ops_celery._old_db_connections_close(task=attempt_delivery)
    assert connection.connection is None


def test_without_the_setting_celery_would_reconnect_every_task():
    fixup = DjangoWorkerFixup(app)
    fixup.db_reuse_max = None
    connection.ensure_connection()
    opened = connection.connection
    run_task(fixup)
    assert connection.connection is not opened

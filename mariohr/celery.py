import os

from celery import Celery

# The request id in task headers, the log format in workers, task metrics: signals.
from . import ops_celery  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mariohr.settings")

app = Celery("mariohr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

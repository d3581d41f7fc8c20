import uuid

import pytest
from django.core.cache import caches

from integrations import throttling


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render without a prior collectstatic: the manifest storage used in production
    needs staticfiles.json, which only `collectstatic` (run by `make run`) writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Rate-limit counters never leak between tests. A file cache is emptied; a Redis one
    gets a fresh key prefix instead (a FLUSHDB would also empty a Celery broker sharing it)."""
    throttling.local_state_clear()
    config = settings.CACHES["default"]
    if config["BACKEND"].endswith("RedisCache"):
        settings.CACHES = {"default": {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
    else:
        caches["default"].clear()

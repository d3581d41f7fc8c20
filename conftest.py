"""Shared fixtures for tests/ and each ATS plug-in's own tests: organizations with keys,
authenticated API clients, static files and caches reset."""

import base64
import uuid

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from assessments.demo import demo_catalog_seed
from assessments.services import organization_create
from integrations import throttling
from integrations.keys import api_key_issue

# Fixtures for session recordings (media made at test time, moto S3, Chromium with fake devices).
pytest_plugins = ["tests.fixtures.recordings", "tests.fixtures.recording_browser"]


@pytest.fixture
def catalog(db):
    return {test.partner_test_id: test for test in demo_catalog_seed()}


@pytest.fixture
def make_org(db, catalog):
    def make(slug="acme", name=None):
        organization = organization_create(name=name or slug.title(), slug=slug)
        _, raw_key = api_key_issue(organization=organization)
        organization.raw_key = raw_key
        return organization

    return make


@pytest.fixture
def org(make_org):
    return make_org("acme", "Acme Corp")


@pytest.fixture
def other_org(make_org):
    return make_org("globex", "Globex")


def basic(username: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture
def client_for():
    def make(organization=None, raw_key=None):
        client = APIClient()
        key = raw_key if raw_key is not None else organization.raw_key
        client.credentials(HTTP_AUTHORIZATION=basic(key))
        return client

    return make


@pytest.fixture
def api(client_for, org):
    return client_for(org)


@pytest.fixture
def send_body():
    def make(**overrides):
        body = {
            "partner_test_id": "py-fastapi-review",
            "candidate": {
                "first_name": "Harry",
                "last_name": "Potter",
                "preferred_name": "The Chosen One",
                "email": "hpotter@hogwarts.edu",
                "phone_number": "123-456-7890",
                "resume_url": "https://files.example.com/resume.pdf",
                "greenhouse_profile_url": (
                    "https://app.greenhouse.io/people/17681532?application_id=26234709"
                ),
            },
            "sent_by": "recruiter@example.org",
            "url": "https://app.greenhouse.io/integrations/testing_partners/take_home_tests/1",
        }
        body.update(overrides)
        return body

    return make


@pytest.fixture
def celery_eager():
    """Run tasks inline for tests about what a task does, not about delivery mechanics."""
    from mariohr.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


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

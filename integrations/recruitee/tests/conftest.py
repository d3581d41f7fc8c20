"""Recruitee fixtures: a Bearer client, send_candidate bodies, and a fake Recruitee over
HTTPS (the shared org/catalog fixtures come from the root conftest)."""

import uuid

import pytest

from tests.delivery_helpers import bearer_client as bearer
from tests.delivery_helpers import ca_file, fake_ats_server, tls_ca  # noqa: F401

from .fake_recruitee import FakeRecruitee

CODENAME = "mariohr-test"
PARTNER_SECRET = "rc-partner-secret-123"
TESTS, SEND = "/api/recruitee/tests", "/api/recruitee/send_candidate"


def candidate_body(**overrides) -> dict:
    body = {
        "first_name": "Jon",
        "last_name": "Snow",
        "email": "jon@example.com",
        "candidate_id": 1,
        "company_id": 7,
        "report_id": str(uuid.uuid4()),
        "test_id": "py-fastapi-review",
        "test_name": "Python FastAPI Code Review",
    }
    body.update(overrides)
    return body


@pytest.fixture
def recruitee(org):
    return bearer(org.raw_key)


@pytest.fixture
def partner_settings(settings):
    """The deployment's partner, as MARIOHR_RECRUITEE_* would configure it."""
    settings.MARIOHR_RECRUITEE_PARTNER_SECRET = PARTNER_SECRET
    settings.MARIOHR_RECRUITEE_CODENAME = CODENAME
    settings.MARIOHR_RECRUITEE_REPORT_LINK_KEY = "report"
    return settings


@pytest.fixture
def fake_recruitee(tls_ca, ca_file, partner_settings, monkeypatch):  # noqa: F811
    settings = partner_settings
    with fake_ats_server(tls_ca, ca_file, settings, monkeypatch) as server:
        fake = FakeRecruitee(server, codename=CODENAME, secret=PARTNER_SECRET)
        settings.MARIOHR_RECRUITEE_API_BASE = fake.api_base
        yield fake

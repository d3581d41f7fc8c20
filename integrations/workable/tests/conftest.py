"""Workable's fixtures; the organizations, keys and catalog come from the root conftest.py,
the HTTPS receiver and its CA from tests/delivery_helpers.py."""

import socket

import pytest

from integrations.workable.credentials import workable_settings_update
from tests import delivery_helpers as helpers

from .fake_workable import FakeWorkable

tls_ca, ca_file, receiver = helpers.tls_ca, helpers.ca_file, helpers.receiver
bearer_client = helpers.bearer_client

WORKABLE_TOKEN = "wk-results-token-123"
PUBLIC_ADDRESS = "93.184.215.14"
PRIVATE_NAME = "internal.workable.com"


@pytest.fixture(autouse=True)
def workable_dns(monkeypatch):
    """No DNS in tests: Workable's names resolve to a public address, one to a private, and
    any other name to nothing (at once, not after a resolver's time-out)."""

    def resolve(hostname, port):
        if hostname == PRIVATE_NAME:
            return ["10.0.0.5"]
        if hostname == "localhost":
            return ["127.0.0.1"]
        if hostname.endswith((".workable.com", ".example.com")):
            return [PUBLIC_ADDRESS]
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr("integrations.ssrf.resolve", resolve)


@pytest.fixture
def workable(org):
    """Workable calling as the organization ``org``."""
    return bearer_client(org.raw_key)


def create_body(**overrides) -> dict:
    body = {
        "test_id": "py-fastapi-review",
        "job_shortcode": "GROOV005",
        "job_title": "Backend Engineer",
        "callback_url": "https://acme.workable.com/spi/v1/assessments/991/result",
        "candidate": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "phone": "+44 20 7946 0000",
        },
    }
    body.update(overrides)
    return body


@pytest.fixture
def fake_workable(receiver, org, settings):
    """Workable's results endpoint on HTTPS, with ``org`` set up to send it results."""
    settings.MARIOHR_DELIVERY_RETRY_SCHEDULE = [0, 0, 0, 0]
    settings.MARIOHR_DELIVERY_JITTER_PERCENT = 0
    settings.MARIOHR_BASE_URL = "https://mariohr.example.com"
    fake = FakeWorkable(receiver, WORKABLE_TOKEN, helpers.RECEIVER_HOST)
    workable_settings_update(
        organization=org, results_token=WORKABLE_TOKEN, callback_domain=helpers.RECEIVER_HOST
    )
    return fake

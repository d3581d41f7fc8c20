"""Teamtailor fixtures: webhook bodies, clients with a provider key, a fake Teamtailor over
real HTTPS (the shared organization fixtures come from the root conftest.py)."""

import uuid

import pytest

from integrations.teamtailor.services import teamtailor_settings_set
from tests import delivery_helpers
from tests.delivery_helpers import bearer_client, fake_ats_server

from .fake_teamtailor import FakeTeamtailor

tls_ca, ca_file = delivery_helpers.tls_ca, delivery_helpers.ca_file
PARTNER_KEY = "tt-partner-key-123"
TEAMTAILOR_RESULTS = "https://api.teamtailor.com/partner/v1/partner-results/"


@pytest.fixture
def teamtailor(org):
    """Teamtailor calling with a provider key that is the organization's MarioHR key."""
    return bearer_client(org.raw_key)


@pytest.fixture
def webhook_body():
    def make(result_id: str | None = None, update_url: str | None = None, **event_overrides):
        result_id = result_id or str(uuid.uuid4())
        event = {
            "id": str(uuid.uuid4()),
            "webhook-data": {"test": "py-fastapi-review"},
            "partner-result": {
                "id": result_id,
                "status": "sending",
                "update-url": update_url or TEAMTAILOR_RESULTS + result_id,
            },
            "candidate": {
                "id": 54321,
                "uuid": "092fba68-496c-4d44-9821-3496be2631ea",
                "first-name": "Juston",
                "last-name": "Becker",
                "email": "applicant100@example.com",
                "phone": "+4670432121",
                "tags": ["developer"],
                "job": {
                    "id": 12345,
                    "title": "Full-stack web developer",
                    "stage-id": 1,
                    "stage": "After Interview",
                    "triggered-by": {"id": 31, "email": "recruiter@example.com", "name": "R"},
                },
            },
            "company": {"uuid": "vAXspNm0J2Y", "name": "Teamtailor", "url": "https://x.test"},
        }
        event.update(event_overrides)
        return {"partner-event": event}

    return make


@pytest.fixture
def fake_teamtailor(tls_ca, ca_file, settings, monkeypatch, org):
    """A fake Teamtailor on https://localhost:<port>, configured as the organization's
    custom base URL with the right partner key; retries immediate."""
    with fake_ats_server(tls_ca, ca_file, settings, monkeypatch) as server:
        fake = FakeTeamtailor(server, PARTNER_KEY)
        teamtailor_settings_set(
            organization=org, api_key=PARTNER_KEY, region="custom", custom_base_url=fake.base_url
        )
        yield fake

"""One X-Request-ID from the ATS's call to the PATCH it caused: accepted or generated,
returned, written on the Delivery the call created and on the attempt a real Celery worker
process made, and in that worker's (JSON) log lines."""

import base64
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.models import Interview
from integrations.ashby.services import ashby_credentials_set
from integrations.ashby.tests.fake_ashby import FakeAshby
from integrations.ashby.tests.test_ashby_api import start_body
from integrations.delivery.models import Delivery, DeliveryAttempt
from mariohr.request_id import current_request_id, request_id_bound
from tests import delivery_helpers as helpers
from tests.delivery_helpers import fake_ats_server, wait_for, worker_process
from tests.test_ops_metrics import sample

tls_ca, ca_file = helpers.tls_ca, helpers.ca_file
ASHBY_KEY = "ashby-customer-key-ops"
LIST = "/api/greenhouse/list_tests"


def test_a_sane_request_id_is_kept_and_returned(api):
    response = api.get(LIST, headers={"X-Request-ID": "gh-req_42.abc~1"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "gh-req_42.abc~1"


@pytest.mark.parametrize(
    "offered", ["", "x" * 201, "has space", "semi;colon", "naïve", "new\\nline", "a/b"]
)
def test_an_unusable_request_id_is_replaced_by_a_new_one(api, offered):
    response = api.get(LIST, headers={"X-Request-ID": offered})
    assert response.status_code == 200
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


def test_pages_get_a_request_id_too(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first["X-Request-ID"] and first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1"})["X-Request-ID"] == "lb-1"


def test_the_request_id_is_bound_only_for_its_request(api):
    assert current_request_id() == ""
    with request_id_bound("outer"):
        api.get(LIST, headers={"X-Request-ID": "inner"})
        assert current_request_id() == "outer"
    assert current_request_id() == ""


def test_a_delivery_created_in_a_request_carries_its_id(org, django_capture_on_commit_callbacks):
    ashby = ashby_client(org)
    interview = start(ashby)
    response = ashby.post(
        "/api/ashby/assessment.cancel",
        {"assessment_id": interview.partner_interview_id},
        format="json",
        headers={"X-Request-ID": "cancel-req-1"},
    )
    assert response.status_code == 200
    (delivery,) = Delivery.objects.filter(interview=interview)
    assert delivery.request_id == "cancel-req-1"


@pytest.fixture
def fake_ashby(tls_ca, ca_file, settings, monkeypatch, org):
    with fake_ats_server(tls_ca, ca_file, settings, monkeypatch) as server:
        fake = FakeAshby(server, ASHBY_KEY)
        ashby_credentials_set(
            organization=org, api_key=ASHBY_KEY, base_url=f"https://localhost:{server.port}"
        )
        yield fake


def ashby_client(org) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(f"{org.raw_key}:".encode()).decode()
    )
    return client


def ashby_successes(client) -> float:
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    labels = {"kind": "ashby_update", "outcome": "success"}
    return sample(text, "mariohr_delivery_attempts_total", **labels)


def start(ashby) -> Interview:
    response = ashby.post("/api/ashby/assessment.start", start_body(), format="json")
    assert response.status_code == 200, response.content
    return Interview.objects.get(partner_interview_id=response.json()["results"]["assessment_id"])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_one_request_id_reaches_the_delivery_and_the_worker_s_attempt(
    fake_ashby, org, ca_file, tmp_path, settings, client
):
    request_id = f"ats-call-{uuid.uuid4().hex[:12]}"
    settings.MARIOHR_DELIVERY_QUEUE = queue = f"ops-request-id-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path / "worker.log"
    ashby = ashby_client(org)
    interview = start(ashby)
    attempts_before = ashby_successes(client)

    with worker_process(
        queue=queue,
        broker_url=None,
        ca_file=ca_file,
        log_path=log_path,
        MARIOHR_LOG_FORMAT="json",
        MARIOHR_DELIVERY_RETRY_SCHEDULE="0,0,0",
    ):
        response = ashby.post(
            "/api/ashby/assessment.cancel",
            {"assessment_id": interview.partner_interview_id},
            format="json",
            headers={"X-Request-ID": request_id},
        )
        assert response.status_code == 200
        assert response["X-Request-ID"] == request_id

        def delivered():
            return Delivery.objects.filter(interview=interview, status="succeeded").first()

        delivery = wait_for(delivered, timeout=60, message=log_path.read_text())

    assert delivery.request_id == request_id
    (attempt,) = DeliveryAttempt.objects.filter(delivery=delivery)
    assert attempt.request_id == request_id
    assert [u["assessment_id"] for u in fake_ashby.accepted] == [interview.partner_interview_id]
    # The worker process counted the attempt where this process's /metrics adds it up.
    assert ashby_successes(client) == attempts_before + 1
    # The admin's search finds it by the id.
    assert list(Delivery.objects.filter(attempts__request_id=request_id)) == [delivery]

    # The worker logged in JSON, and its lines about this task carry the request's id.
    # (Celery prints its banner to stdout; every log record is one JSON object.)
    text = log_path.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert not [line for line in text.splitlines() if line.startswith("[20")], text
    assert {"timestamp", "level", "logger", "event", "request_id"} <= set(lines[-1])
    ours = [line for line in lines if line["request_id"] == request_id]
    assert any("attempt_delivery" in line["event"] for line in ours), lines


def test_the_delivery_admin_shows_and_finds_the_request_id(admin_client, org):
    delivery = Delivery.objects.create(
        organization=org,
        kind="results_patch",
        target_url="https://ats.example/callback",
        endpoint="https://ats.example",
        next_attempt_at=timezone.now(),
        request_id="caused-by-req-7",
    )
    other = Delivery.objects.create(
        organization=org,
        kind="results_patch",
        target_url="https://ats.example/callback",
        endpoint="https://ats.example",
        next_attempt_at=timezone.now(),
    )
    DeliveryAttempt.objects.create(
        delivery=other,
        number=1,
        attempted_at=timezone.now(),
        outcome="retry",
        request_id="retried-by-req-8",
    )
    changelist = reverse("admin:delivery_delivery_changelist")
    for request_id, expected, unexpected in [
        ("caused-by-req-7", delivery, other),
        ("retried-by-req-8", other, delivery),
    ]:
        page = admin_client.get(changelist, {"q": request_id}).content.decode()
        assert expected.webhook_id in page and unexpected.webhook_id not in page
    detail = admin_client.get(reverse("admin:delivery_delivery_change", args=[other.pk]))
    assert "retried-by-req-8" in detail.content.decode()
    detail = admin_client.get(reverse("admin:delivery_delivery_change", args=[delivery.pk]))
    assert "caused-by-req-7" in detail.content.decode()

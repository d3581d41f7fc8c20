"""The built-in fake ATS receiver: what it stores (signature checked with the sandbox's
secret, secrets redacted), how it answers, who may read its captures."""

import base64
import json
import time

import pytest
from django.test import Client

from integrations.credentials import webhook_secret_get
from integrations.delivery import kinds, transport
from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.receiver import receiver_url
from integrations.sandbox.services import sandbox_twin_create


@pytest.fixture
def sandbox(org):
    created = sandbox_twin_create(organization=org)
    created.sandbox.organization.raw_key = created.raw_key
    return created.sandbox


def signed_headers(secret: str, body: bytes, *, webhook_id="msg_1", timestamp=None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = transport.signature(
        secret=secret, webhook_id=webhook_id, timestamp=timestamp, body=body
    )
    return {
        "HTTP_WEBHOOK_ID": webhook_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(timestamp),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


def http_path(sandbox, rest: str = "applications/7/results") -> str:
    return f"/sandbox/receiver/{sandbox.receiver_token}/{rest}"


def test_receiver_stores_a_signed_patch_over_http(sandbox):
    body = json.dumps({"partner_status": "complete", "partner_score": 87}).encode()
    secret = webhook_secret_get(organization=sandbox.organization)
    answer = Client().patch(
        http_path(sandbox),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic Z2g6c2VjcmV0",
        HTTP_RT_PARTNER_SECRET="shh",
        **signed_headers(secret, body),
    )
    assert answer.status_code == 200 and answer.json() == {"success": True}
    captured = ReceivedCallback.objects.get()
    assert captured.sandbox == sandbox and captured.method == "PATCH"
    assert captured.path == "/applications/7/results"
    assert captured.body == {"partner_status": "complete", "partner_score": 87}
    assert captured.signature_verified and captured.webhook_id == "msg_1"
    assert captured.headers["authorization"] == "Basic [redacted]"
    assert captured.headers["rt-partner-secret"] == "[redacted]"
    assert "Z2g6c2VjcmV0" not in json.dumps(captured.headers)


@pytest.mark.parametrize(
    "tamper, problem",
    [
        ("body", "No v1 signature matches"),
        ("stale", "five minutes"),
        ("unsigned", "No webhook-id"),
    ],
)
def test_receiver_records_why_a_signature_does_not_verify(sandbox, tamper, problem):
    body = b'{"partner_status": "complete"}'
    secret = webhook_secret_get(organization=sandbox.organization)
    headers = signed_headers(secret, body, timestamp=int(time.time()) - 3600 * (tamper == "stale"))
    if tamper == "body":
        body = b'{"partner_status": "rejected"}'
    if tamper == "unsigned":
        headers = {}
    answer = Client().patch(http_path(sandbox), body, content_type="application/json", **headers)
    assert answer.status_code == 200
    captured = ReceivedCallback.objects.get()
    assert not captured.signature_verified and problem in captured.signature_problem


def test_receiver_answers_like_ashby_and_on_request_with_a_failure(sandbox):
    ashby = Client().post(http_path(sandbox, "assessment.update"), b"{}", "application/json")
    assert ashby.json() == {"success": True, "results": {}}
    failing = Client().patch(
        http_path(sandbox, "cb?answer_status=401"), b"{}", content_type="application/json"
    )
    assert failing.status_code == 401 and failing.json()["error"] == "simulated"
    assert list(ReceivedCallback.objects.values_list("answered_status", flat=True)) == [401, 200]


def test_receiver_refuses_unknown_tokens_and_nul_bytes(sandbox):
    unknown = Client().patch("/sandbox/receiver/" + "x" * 32 + "/cb", b"{}", "application/json")
    assert unknown.status_code == 404
    nul = Client().patch(http_path(sandbox), b'{"a": "\\u0000"}', "application/json")
    assert nul.status_code == 400 and "NUL" in nul.json()["message"]
    assert not ReceivedCallback.objects.exists()


def test_receiver_keeps_a_text_body_as_text(sandbox):
    Client().put(http_path(sandbox), b"not json", content_type="text/plain")
    captured = ReceivedCallback.objects.get()
    assert captured.body is None and captured.body_text == "not json"


def test_transport_hands_receiver_urls_over_in_process_signed(sandbox):
    secret = webhook_secret_get(organization=sandbox.organization)
    request = kinds.OutboundRequest(
        method="PATCH",
        url=receiver_url(sandbox) + "callback?n=1",
        json_body={"partner_status": "complete"},
        basic_auth=("user", "pass"),
    )
    response = transport.request_send(
        request, webhook_id="msg_in", signing_secret=secret, timeout=5, max_response_bytes=1000
    )
    assert response.status_code == 200 and json.loads(response.body) == {"success": True}
    captured = ReceivedCallback.objects.get()
    assert captured.in_process and captured.signature_verified
    assert captured.path == "/callback?n=1" and captured.webhook_id == "msg_in"
    assert captured.headers["authorization"] == "Basic [redacted]"
    assert captured.headers["host"] == "receiver.sandbox.mariohr.invalid"


def test_in_process_route_does_not_match_lookalike_hosts(sandbox):
    request = kinds.OutboundRequest(
        method="PATCH",
        url=f"https://receiver.sandbox.mariohr.invalid.example.com/{sandbox.receiver_token}/",
        json_body={},
    )
    with pytest.raises(Exception) as raised:
        transport.request_send(
            request,
            webhook_id="m",
            signing_secret=base64.b64encode(b"k" * 24).decode(),
            timeout=2,
            max_response_bytes=100,
        )
    assert raised.type.__name__ in ("UnsafeURL", "TransportError")
    assert not ReceivedCallback.objects.exists()


def test_captures_api_answers_the_sandbox_key_only(sandbox, client_for, org):
    Client().patch(http_path(sandbox), b'{"x": 1}', content_type="application/json")
    mine = client_for(raw_key=sandbox.organization.raw_key).get("/sandbox/captures")
    assert mine.status_code == 200
    payload = mine.json()
    assert payload["callback_url"] == receiver_url(sandbox)
    (item,) = payload["received"]
    assert item["body"] == {"x": 1} and item["signature_verified"] is False
    assert client_for(org).get("/sandbox/captures").status_code == 404
    assert client_for(raw_key="mhr_wrongwrongwrong").get("/sandbox/captures").status_code == 401


def test_admin_shows_captures_per_sandbox(admin_client, sandbox):
    Client().patch(http_path(sandbox), b'{"partner_score": 87}', content_type="application/json")
    captured = ReceivedCallback.objects.get()
    page = admin_client.get(f"/admin/sandbox/sandbox/{sandbox.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert receiver_url(sandbox) in html and "/applications/7/results" in html
    listing = admin_client.get(
        "/admin/sandbox/receivedcallback/", {"sandbox__id__exact": sandbox.pk}
    )
    assert listing.status_code == 200 and "/applications/7/results" in listing.content.decode()
    detail = admin_client.get(f"/admin/sandbox/receivedcallback/{captured.pk}/change/")
    assert detail.status_code == 200 and "partner_score" in detail.content.decode()

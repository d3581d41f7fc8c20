"""Review: the sandbox receiver's HTTP door against bodies a hand-written client may send."""

import pytest
from django.test import Client

from integrations.sandbox.models import ReceivedCallback
from integrations.sandbox.services import sandbox_twin_create


@pytest.fixture
def sandbox(org):
    return sandbox_twin_create(organization=org).sandbox


def http_path(sandbox, rest: str = "applications/7/results") -> str:
    return f"/sandbox/receiver/{sandbox.receiver_token}/{rest}"


UNSTORABLE_JSON = {
    "lone_surrogate": b'{"a": "\\ud800"}',
    "nan": b'{"score": NaN}',
    "infinity": b'{"score": 1e999}',
    "deep": b'{"a": ' * 5000 + b"1" + b"}" * 5000,
    "nul_in_a_key": b'{"\\u0000": 1}',
}


@pytest.mark.parametrize("raw", UNSTORABLE_JSON.values(), ids=UNSTORABLE_JSON.keys())
def test_a_body_json_cannot_store_is_kept_as_text_or_refused_never_a_500(sandbox, raw):
    answer = Client(raise_request_exception=False).patch(
        http_path(sandbox), raw, content_type="application/json"
    )
    assert answer.status_code in (200, 400)
    if answer.status_code == 200:
        captured = ReceivedCallback.objects.get()
        assert captured.body is None and captured.body_text
    else:
        assert not ReceivedCallback.objects.exists()


def test_another_sandboxs_token_never_writes_here(sandbox, make_org):
    other = sandbox_twin_create(organization=make_org("globex")).sandbox
    Client().patch(http_path(other), b"{}", content_type="application/json")
    assert not ReceivedCallback.objects.filter(sandbox=sandbox).exists()
    assert ReceivedCallback.objects.get().sandbox == other

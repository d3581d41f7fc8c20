"""What redaction masks, whatever an ATS calls its fields."""

import json

import pytest

from integrations.request_log.redaction import MASK, redacted, redacted_body, redacted_query

BASE = "https://mariohr.example.com"


@pytest.mark.parametrize(
    "key",
    [
        "api_key", "apiKey", "API-Key", "access_token", "webhookSecret", "password", "signature",
        "Authorization", "email", "primaryEmailAddress", "phone", "phoneNumbers", "first_name",
        "firstName", "first-name", "last_name", "lastName", "name", "full_name", "preferred_name",
    ],
)  # fmt: skip
def test_a_sensitive_key_is_masked_whatever_its_value(key):
    assert redacted({key: {"value": "x", "nested": [1, 2]}}, BASE) == {key: MASK}


@pytest.mark.parametrize("key", ["partner_test_id", "status", "job_title", "callback_url", "id"])
def test_other_keys_are_kept(key):
    assert redacted({key: "kept"}, BASE) == {key: "kept"}


def test_masking_reaches_lists_and_nested_objects():
    data = {"job": {"hiringTeam": [{"userId": "u1", "email": "g@example.com", "role": "HM"}]}}
    assert redacted(data, BASE) == {
        "job": {"hiringTeam": [{"userId": "u1", "email": MASK, "role": "HM"}]}
    }


def test_addresses_inside_free_text_and_our_own_links_are_masked():
    data = {"notes": "write to ada@example.com or call", "report": BASE + "/r/secret-token"}
    assert redacted(data, BASE) == {"notes": f"write to {MASK} or call", "report": f"{BASE}/{MASK}"}


def test_other_sites_links_are_kept():
    link = "https://app.ashbyhq.com/candidates/cand-1"
    assert redacted({"profile": link}, BASE) == {"profile": link}


@pytest.mark.parametrize(
    "raw",
    [b'{"a": "\\u0000"}', b'{"a": "\\ud800"}', b'{"a": NaN}', b"{", b"[" * 5000, b"\xff\xfe"],
)
def test_bodies_that_cannot_be_stored_are_replaced_by_a_note(raw):
    assert redacted_body(raw) == {"_unparsed": f"{len(raw)} bytes, not storable JSON"}


def test_a_repeated_body_is_redacted_the_same_way(settings):
    raw = json.dumps({"email": "a@b.example", "items": [1, 2, 3]}).encode()
    assert redacted_body(raw) == redacted_body(raw) == {"email": MASK, "items": [1, 2, 3]}
    settings.MARIOHR_REQUEST_LOG_MAX_BODY_BYTES = 10
    assert "_omitted" in redacted_body(raw)


def test_a_query_string_is_read_as_django_reads_it_and_redacted():
    query = "a=1&a=2&blank=&mail=x%40y.example&token=t&cafe=caf%C3%A9&bad=%ff"
    assert redacted_query(query) == {
        "a": ["1", "2"],
        "blank": "",
        "mail": MASK,
        "token": MASK,
        "cafe": "café",
        "bad": "\ufffd",
    }
    # More fields than Django's request.GET accepts: still logged, never an error.
    assert len(redacted_query("&".join(f"f{n}=v" for n in range(1500)))) == 1500

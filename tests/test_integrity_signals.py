# ruff: noqa: F811 - fixtures imported from tests.candidate_factories
"""Integrity signals: the take page's endpoint, the service, the report and Ashby's metadata."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments import integrity
from assessments import services as lifecycle
from assessments.models import InterviewEvent
from assessments.reports import report_build
from integrations.ashby.payloads import assessment_update_payload, epoch_ms
from integrations.ashby.tests.fake_ashby import contract_violations
from integrations.greenhouse.payloads import results_patch_payload
from tests.candidate_factories import page_url, secret_values, sent_interview  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(sent_interview):
    return lifecycle.interview_start(interview=sent_interview())


def at(seconds_ago: float = 0) -> str:
    return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()


def paste(signal_id="p1", size=512, preview="def handler(request):", seconds_ago=30):
    return {
        "kind": "paste",
        "id": signal_id,
        "at": at(seconds_ago),
        "size": size,
        "preview": preview,
    }


def away(signal_id="a1", seconds=125.0, reason="hidden", seconds_ago=200):
    return {
        "kind": "away",
        "id": signal_id,
        "at": at(seconds_ago),
        "seconds": seconds,
        "reason": reason,
    }


def post(client, interview, body, raw=False):
    return client.post(
        page_url(interview, "/signals"),
        data=body if raw else json.dumps(body),
        content_type="application/json",
    )


def signal_events(interview):
    return list(interview.events.filter(kind__startswith="signal_").order_by("at"))


def test_signals_endpoint_stores_paste_away_and_idle(client, started):
    idle = {"kind": "idle", "id": "i1", "at": at(900), "seconds": 360}
    response = post(client, started, {"signals": [paste(), away(), idle]})
    assert response.status_code == 200, response.content
    assert response.json() == {"stored": 3, "repeated": 0, "dropped": 0}
    events = {event.kind: event for event in signal_events(started)}
    assert events["signal_paste"].data == {
        "id": "p1",
        "size": 512,
        "preview": "def handler(request)",
    }
    assert events["signal_away"].data == {"id": "a1", "seconds": 125.0, "reason": "hidden"}
    assert events["signal_idle"].data == {"id": "i1", "seconds": 360.0}
    # Nothing is judged: the interview is still in progress, unscored.
    started.refresh_from_db()
    assert (started.status, started.score) == ("in_progress", None)


def test_signals_sent_again_are_stored_once(client, started):
    assert post(client, started, {"signals": [paste(), away()]}).status_code == 200
    response = post(client, started, {"signals": [paste(), away(), away("a2")]})
    assert response.json() == {"stored": 1, "repeated": 2, "dropped": 0}
    assert len(signal_events(started)) == 3


def test_paste_preview_keeps_at_most_twenty_characters_on_one_line(client, started):
    signal = paste(preview="line one\nline two\r\n\tline three")
    assert post(client, started, {"signals": [signal]}).status_code == 200
    [event] = signal_events(started)
    assert event.data["preview"] == "line one line two li"


def test_signal_time_is_kept_within_the_test(client, started):
    early = paste(seconds_ago=3 * 3600)
    assert post(client, started, {"signals": [early]}).status_code == 200
    [event] = signal_events(started)
    assert event.at == started.started_at


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"signals": "many"}, "signals"),
        ({"signals": [1]}, "signals[0]"),
        ({"signals": [{**paste(), "kind": "copy"}]}, "signals[0].kind"),
        ({"signals": [{**paste(), "id": ""}]}, "signals[0].id"),
        ({"signals": [{**paste(), "id": "x" * 41}]}, "signals[0].id"),
        ({"signals": [{**paste(), "at": "yesterday"}]}, "signals[0].at"),
        ({"signals": [{**paste(), "at": "2026-01-01T10:00:00"}]}, "signals[0].at"),
        ({"signals": [{**paste(), "at": at(-3600)}]}, "signals[0].at"),
        ({"signals": [{**paste(), "size": -1}]}, "signals[0].size"),
        ({"signals": [{**paste(), "size": True}]}, "signals[0].size"),
        ({"signals": [{**paste(), "size": 1.5}]}, "signals[0].size"),
        ({"signals": [{**paste(), "preview": ["x"]}]}, "signals[0].preview"),
        ({"signals": [{**away(), "seconds": "long"}]}, "signals[0].seconds"),
        ({"signals": [{**away(), "reason": "lunch"}]}, "signals[0].reason"),
        ({"signals": [paste(str(n)) for n in range(integrity.BATCH_MAX + 1)]}, "signals"),
        ([], "signals"),
    ],
)
def test_junk_signals_are_refused_with_the_field_named(client, started, body, field):
    response = post(client, started, body)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_signal"
    assert field in response.json()["fields"]
    assert signal_events(started) == []


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"signals": [{"kind": "paste", "id": "p", "preview": "a\\u0000b"}]}',
        b'{"signals": [{"kind": "away", "id": "p", "seconds": NaN}]}',
        b'{"signals": "\\ud800"}',
        b"\xff\xfe",
    ],
)
def test_unsafe_json_is_a_400_never_a_500(client, started, raw):
    response = post(client, started, raw, raw=True)
    assert response.status_code == 400, response.content
    assert response.json()["error"] == "invalid_json"
    assert signal_events(started) == []


def test_an_oversized_body_is_a_413(client, started):
    body = {"signals": [paste(preview="x" * (integrity.BODY_MAX_BYTES + 1))]}
    response = post(client, started, body)
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_signals_are_refused_before_start_and_after_submit(client, sent_interview):
    interview = sent_interview()
    response = post(client, interview, {"signals": [paste()]})
    assert response.status_code == 409
    assert response.json()["status"] == "sent"
    interview = lifecycle.interview_submit(interview=lifecycle.interview_start(interview=interview))
    response = post(client, interview, {"signals": [paste()]})
    assert response.status_code == 409
    assert response.json()["error"] == "not_in_progress"
    assert signal_events(interview) == []


def test_signals_for_an_overdue_test_are_refused_and_it_expires(client, started):
    started.expires_at = timezone.now() - timedelta(hours=1)
    started.save(update_fields=["expires_at"])
    response = post(client, started, {"signals": [paste()]})
    assert response.status_code == 410
    assert response.json()["status"] == "expired"
    assert signal_events(started) == []


def test_unknown_link_is_a_404(client):
    response = client.post("/t/nope/signals", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_requests_are_rate_limited_per_interview(client, started, sent_interview):
    for number in range(integrity.REQUESTS_PER_MINUTE):
        assert post(client, started, {"signals": [away(str(number))]}).status_code == 200
    response = post(client, started, {"signals": [away("one-too-many")]})
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert len(signal_events(started)) == integrity.REQUESTS_PER_MINUTE
    other = lifecycle.interview_start(interview=sent_interview())
    assert post(client, other, {"signals": [away()]}).status_code == 200


def test_an_interview_stores_at_most_its_share_of_signals(started, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    limit = integrity.SIGNALS_PER_INTERVIEW
    InterviewEvent.objects.bulk_create(
        InterviewEvent(
            interview=started, kind="signal_away", at=timezone.now(), data={"id": str(n)}
        )
        for n in range(limit - 1)
    )
    counts = integrity.signals_record(interview=started, signals=[away("x"), away("y")])
    assert counts == {"stored": 1, "repeated": 0, "dropped": 1}
    assert started.events.filter(kind="signal_away").count() == limit


def test_get_is_not_allowed(client, started):
    assert client.get(page_url(started, "/signals")).status_code == 405


# ---- what the candidate is told -------------------------------------------------------------


def test_intro_page_says_what_is_recorded(client, sent_interview):
    response = client.get(page_url(sent_interview()))
    notice = response.content.decode()
    assert "pastes of 200 characters or more" in notice
    assert "when you leave the page or switch to another tab" in notice
    assert "pauses of 5 minutes or more" in notice
    assert "never fail a test by themselves" in notice


def test_take_page_carries_the_signals_url(client, started):
    page = client.get(page_url(started)).content.decode()
    assert f'data-signals-url="/t/{started.candidate_token}/signals"' in page
    assert 'data-paste-min="200"' in page


# ---- the reviewer's side --------------------------------------------------------------------


@pytest.fixture
def submitted_with_signals(client, started):
    [password] = secret_values(started)
    signals = [
        paste("p1", size=900, preview=password, seconds_ago=300),
        paste("p2", size=250, preview="import os", seconds_ago=250),
        paste("p3", size=400, preview="", seconds_ago=200),
        away("a1", seconds=150, seconds_ago=180),
        away("a2", seconds=80, reason="blur", seconds_ago=100),
    ]
    assert post(client, started, {"signals": signals}).status_code == 200
    return lifecycle.interview_submit(interview=started)


def test_report_counts_signals_and_labels_them_as_not_a_verdict(submitted_with_signals):
    report = report_build(submitted_with_signals)
    signals = report["integrity_signals"]
    assert signals["pastes"] == 3
    assert signals["pasted_characters"] == 1550
    assert (signals["away"], signals["away_seconds"]) == (2, 230)
    assert (
        signals["summary"] == "Pasted 3 times (1,550 characters); away 2 times, 4 min; idle 0 times"
    )
    assert "not a verdict" in signals["label"]
    assert report["status"] == "submitted"


def test_report_timeline_shows_signals_without_secrets(submitted_with_signals):
    [password] = secret_values(submitted_with_signals)
    report = report_build(submitted_with_signals)
    entries = [entry for entry in report["transcript"] if entry.get("signal")]
    assert [entry["event"] for entry in entries] == [
        "signal_paste",
        "signal_paste",
        "signal_paste",
        "signal_away",
        "signal_away",
    ]
    assert entries[1]["label"] == "Pasted 250 characters (starting \u201cimport os\u2026\u201d)"
    assert entries[2]["label"] == "Pasted 400 characters"
    assert entries[3]["label"] == "Away from the test for 2 min (switched tab or window)"
    assert entries[4]["label"] == "Away from the test for 80 s (page lost focus)"
    assert password[:20] not in json.dumps(report)
    assert "offset_seconds" not in entries[0]  # no recording: nothing to seek


def test_report_page_shows_the_summary_and_timeline(client, submitted_with_signals):
    page = client.get(f"/reports/{submitted_with_signals.report_token}").content.decode()
    assert "Pasted 3 times (1,550 characters); away 2 times, 4 min; idle 0 times" in page
    assert "Signals for you to weigh, not a verdict" in page
    assert "Away from the test for 80 s (page lost focus)" in page


def test_recording_offset_maps_a_moment_through_the_segment_map():
    began = timezone.now().replace(microsecond=0)
    segments = [
        {"started_at": began.isoformat(), "offset_seconds": 0, "duration_seconds": 60},
        {
            "started_at": (began + timedelta(seconds=100)).isoformat(),
            "offset_seconds": 60,
            "duration_seconds": 30,
        },
    ]
    moment = lambda seconds: (began + timedelta(seconds=seconds)).isoformat()  # noqa: E731
    assert integrity.recording_offset(moment(12.5), segments) == 12.5
    assert integrity.recording_offset(moment(80), segments) == 60  # in the gap: resumed
    assert integrity.recording_offset(moment(110), segments) == 70
    assert integrity.recording_offset(moment(-5), segments) is None
    assert integrity.recording_offset(moment(500), segments) is None
    assert integrity.recording_offset(moment(5), [{"started_at": "junk"}]) is None


def test_ashby_metadata_carries_the_counts_as_signals(submitted_with_signals):
    interview = lifecycle.interview_score(interview=submitted_with_signals, score=Decimal("80"))
    event = {"status": interview.status, "timestamp": epoch_ms(interview.status_changed_at)}
    payload = assessment_update_payload(interview, event)
    assert contract_violations(payload) == []
    metadata = {field["identifier"]: field for field in payload["metadata"]}
    assert metadata["integrity-signals"] == {
        "identifier": "integrity-signals",
        "label": integrity.SIGNAL_LABEL,
        "type": "string",
        "value": "Pasted 3 times (1,550 characters); away 2 times, 4 min; idle 0 times",
    }
    assert interview.score == Decimal("80")  # the signals changed nothing


def test_ashby_metadata_has_no_signals_before_the_test_ends(started):
    event = {"status": started.status, "timestamp": epoch_ms(started.status_changed_at)}
    payload = assessment_update_payload(started, event)
    assert "integrity-signals" not in {field["identifier"] for field in payload["metadata"]}


def test_greenhouse_patch_report_carries_the_counts(submitted_with_signals):
    interview = lifecycle.interview_score(interview=submitted_with_signals, score=Decimal("80"))
    signals = results_patch_payload(interview)["report"]["integrity_signals"]
    assert signals["summary"].startswith("Pasted 3 times")
    assert signals["label"] == integrity.SIGNAL_LABEL

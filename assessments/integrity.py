"""Integrity signals: large pastes, time away from the page, long idle periods.

The take page reports them; they are stored as InterviewEvent rows (kinds in SIGNAL_KINDS)
and shown to the reviewer beside the recording, with counts in the report and the ATS
metadata. They are signals for a person to weigh, never a verdict: nothing here changes a
status or a score. A paste keeps its size and at most PREVIEW_MAX characters, never its text.
"""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from mariohr.formats import iso

from .models import Interview, InterviewEvent
from .selectors import interview_is_overdue

S = Interview.Status
SIGNAL_KINDS = {"paste": "signal_paste", "away": "signal_away", "idle": "signal_idle"}
KIND_NAMES = {kind: name for name, kind in SIGNAL_KINDS.items()}
# What the page reports: pastes of at least this many characters, idle periods this long.
PASTE_MIN_CHARACTERS = 200
IDLE_MINUTES = 5
PREVIEW_MAX = 20
BATCH_MAX = 50
BODY_MAX_BYTES = 32 * 1024
ID_MAX = 40
AWAY_REASONS = {"hidden", "blur"}
# Bounds on what one interview can store or send: a leaked link cannot fill the table.
SIGNALS_PER_INTERVIEW = 2000
REQUESTS_PER_MINUTE = 30
# The page's clock, corrected by the server's, can still be a little ahead.
CLOCK_SLACK = timedelta(minutes=2)
REDACTED = "[redacted]"
SIGNAL_LABEL = "Integrity signals (for a reviewer to weigh, not a verdict)"


class SignalInvalid(ValueError):
    def __init__(self, field: str, problem: str):
        super().__init__(f"{field} {problem}")
        self.field, self.problem = field, problem


class SignalsRefused(Exception):
    """The interview is not in progress (any more)."""

    def __init__(self, interview: Interview):
        super().__init__(interview.status)
        self.interview = interview


class SignalRateLimited(Exception):
    pass


def signals_record(*, interview: Interview, signals) -> dict:
    """Validate and store a batch from the take page; returns the counts stored, repeated
    (a retry of a batch already stored: the page's ids make re-sending safe) and dropped
    (over SIGNALS_PER_INTERVIEW)."""
    parsed = _parse_batch(signals)
    _rate_limit(interview)
    now = timezone.now()
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if locked.status != S.IN_PROGRESS or interview_is_overdue(locked, now):
            raise SignalsRefused(locked)
        stored_signals = locked.events.filter(kind__in=KIND_NAMES)
        ids = [item["data"]["id"] for item in parsed]
        known = set(stored_signals.filter(data__id__in=ids).values_list("data__id", flat=True))
        fresh = [item for item in parsed if item["data"]["id"] not in known]
        room = max(0, SIGNALS_PER_INTERVIEW - stored_signals.count())
        rows = [
            InterviewEvent(
                interview=locked,
                kind=item["kind"],
                at=min(max(item["at"], locked.started_at or item["at"]), now),
                data=item["data"],
            )
            for item in fresh[:room]
        ]
        InterviewEvent.objects.bulk_create(rows)
    return {
        "stored": len(rows),
        "repeated": len(parsed) - len(fresh),
        "dropped": len(fresh) - len(rows),
    }


def _rate_limit(interview: Interview) -> None:
    key = f"mariohr:signals:{interview.pk}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr: this request is the first
        sent = 1
    if sent > REQUESTS_PER_MINUTE:
        raise SignalRateLimited


def _parse_batch(signals) -> list[dict]:
    if not isinstance(signals, list):
        raise SignalInvalid("signals", "must be a list")
    if len(signals) > BATCH_MAX:
        raise SignalInvalid("signals", f"must hold at most {BATCH_MAX} items")
    parsed, ids = [], set()
    for number, item in enumerate(signals):
        signal = _parse_one(item, f"signals[{number}]")
        if signal["data"]["id"] in ids:
            continue  # the same signal twice in one batch
        ids.add(signal["data"]["id"])
        parsed.append(signal)
    return parsed


def _parse_one(item, field: str) -> dict:
    if not isinstance(item, dict):
        raise SignalInvalid(field, "must be an object")
    kind = SIGNAL_KINDS.get(item.get("kind")) if isinstance(item.get("kind"), str) else None
    if kind is None:
        raise SignalInvalid(f"{field}.kind", f"must be one of {', '.join(SIGNAL_KINDS)}")
    signal_id = item.get("id")
    if not isinstance(signal_id, str) or not 0 < len(signal_id) <= ID_MAX:
        raise SignalInvalid(f"{field}.id", f"must be text of 1 to {ID_MAX} characters")
    at = _moment(item.get("at"))
    if at is None or at.tzinfo is None:
        raise SignalInvalid(f"{field}.at", "must be an ISO 8601 time with a time zone")
    if at > timezone.now() + CLOCK_SLACK:
        raise SignalInvalid(f"{field}.at", "must not be in the future")
    data = {"id": signal_id}
    if kind == "signal_paste":
        data["size"] = _number(item, "size", field, maximum=10_000_000, integer=True)
        data["preview"] = _preview(item.get("preview", ""), f"{field}.preview")
    else:
        data["seconds"] = _number(item, "seconds", field, maximum=7 * 24 * 3600)
    if kind == "signal_away":
        reason = item.get("reason", "hidden")
        if not isinstance(reason, str) or reason not in AWAY_REASONS:
            raise SignalInvalid(f"{field}.reason", f"must be one of {', '.join(AWAY_REASONS)}")
        data["reason"] = reason
    return {"kind": kind, "at": at, "data": data}


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:  # well formed, but no such moment: 30 February, hour 25, offset +99:00
        return None


def _number(item: dict, name: str, field: str, *, maximum: float, integer=False):
    value = item.get(name)
    wrong = isinstance(value, bool) or not isinstance(value, int if integer else int | float)
    if wrong or not 0 <= value <= maximum:
        kind = "a whole number" if integer else "a number"
        raise SignalInvalid(f"{field}.{name}", f"must be {kind} from 0 to {maximum}")
    return value if integer else round(float(value), 1)


def _preview(value, field: str) -> str:
    if not isinstance(value, str):
        raise SignalInvalid(field, "must be text")
    # NUL and unpaired surrogates were refused with the body (mariohr.json_safety).
    return " ".join(value.split())[:PREVIEW_MAX]


# ---- the reviewer's side: the timeline entries and the counts -----------------------------


def signal_entry(event: InterviewEvent, secrets: list[str]) -> dict:
    """The report timeline's entry for one signal event, without the ``secrets``."""
    data = event.data
    entry = {"at": iso(event.at), "event": event.kind, "signal": True}
    if event.kind == "signal_paste":
        preview = preview_redact(data.get("preview", ""), secrets)
        entry["size"] = data.get("size")
        entry["label"] = f"Pasted {data.get('size', 0):,} characters" + (
            f" (starting \u201c{preview}\u2026\u201d)" if preview else ""
        )
    elif event.kind == "signal_away":
        why = "switched tab or window" if data.get("reason") == "hidden" else "page lost focus"
        entry["seconds"] = data.get("seconds")
        entry["label"] = f"Away from the test for {duration_text(data.get('seconds', 0))} ({why})"
    else:
        entry["seconds"] = data.get("seconds")
        entry["label"] = f"No input for {duration_text(data.get('seconds', 0))}"
    return entry


def signal_text_removed(kind: str, data: dict) -> dict:
    """``data`` without what the candidate wrote (a paste's preview): erasure and
    anonymization keep the signal, its time and size."""
    if kind == SIGNAL_KINDS["paste"] and data.get("preview"):
        return {**data, "preview": ""}
    return data


def preview_redact(preview: str, secrets: list[str]) -> str:
    """A preview is cut at PREVIEW_MAX characters, so it may hold only part of a secret:
    a word that is part of one (4 characters or more) goes too."""
    for secret in secrets:
        preview = preview.replace(secret, REDACTED)
    words = [
        REDACTED if len(word) >= 4 and any(word in secret for secret in secrets) else word
        for word in preview.split(" ")
    ]
    return " ".join(words)


def signals_summary(events) -> dict:
    """Counts over an interview's events (already loaded: the report's prefetch)."""
    pastes = [e for e in events if e.kind == "signal_paste"]
    away = [e for e in events if e.kind == "signal_away"]
    idle = [e for e in events if e.kind == "signal_idle"]
    away_seconds = round(sum(e.data.get("seconds", 0) for e in away))
    idle_seconds = round(sum(e.data.get("seconds", 0) for e in idle))
    parts = [
        f"Pasted {_times(len(pastes))}"
        + (f" ({sum(e.data.get('size', 0) for e in pastes):,} characters)" if pastes else ""),
        f"away {_times(len(away))}" + (f", {duration_text(away_seconds)}" if away else ""),
        f"idle {_times(len(idle))}" + (f", {duration_text(idle_seconds)}" if idle else ""),
    ]
    return {
        "label": SIGNAL_LABEL,
        "pastes": len(pastes),
        "pasted_characters": sum(e.data.get("size", 0) for e in pastes),
        "away": len(away),
        "away_seconds": away_seconds,
        "idle": len(idle),
        "idle_seconds": idle_seconds,
        "summary": "; ".join(parts),
    }


def _times(count: int) -> str:
    return {0: "0 times", 1: "once"}.get(count, f"{count} times")


def duration_text(seconds: float) -> str:
    seconds = round(seconds or 0)
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 90 else f"{minutes // 60} h {minutes % 60} min"


def recording_offset(at: str | None, segments: list) -> float | None:
    """Where a moment falls in the processed recording, through its segment map (the inverse
    of recordings.selectors._wall_clock); in a gap between segments, where recording resumed."""
    moment = parse_datetime(at) if at else None
    if moment is None:
        return None
    for span in segments:
        try:
            began = datetime.fromisoformat(span["started_at"])
            offset, length = float(span["offset_seconds"]), float(span["duration_seconds"])
        except (KeyError, TypeError, ValueError):
            return None
        into = (moment - began).total_seconds()
        if into < 0:
            return round(offset, 1) if span is not segments[0] else None
        if into <= length:
            return round(offset + into, 1)
    return None


def page_settings() -> dict:
    """What the intro page tells the candidate and the take page's script measures."""
    return {
        "paste_min": PASTE_MIN_CHARACTERS,
        "idle_minutes": IDLE_MINUTES,
        "preview_max": PREVIEW_MAX,
    }

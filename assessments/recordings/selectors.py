"""What other modules read about recordings: policy, consent, links and the report's part.

The read side only: nothing here writes or enqueues, and nothing imports the write side
(services, processing), so the report, the candidate pages and the partner payloads can use
it at module level without an import cycle. All cheap reads, safe to call at send time.
"""

from datetime import datetime, timedelta

from assessments.models import Interview
from mariohr.formats import iso

from .links import link_create
from .models import Recording, RecordingPolicy


def policy_for(test) -> RecordingPolicy | None:
    """The test's policy when it records at all (required or optional), else None."""
    policy = RecordingPolicy.objects.filter(test=test).first()
    if policy is None or policy.mode == RecordingPolicy.Mode.OFF:
        return None
    return policy


def recording_consent_missing(interview: Interview) -> bool:
    """True when the test requires a recording and consent to it was not given (yet)."""
    policy = policy_for(interview.test)
    if policy is None or policy.mode != RecordingPolicy.Mode.REQUIRED:
        return False
    return not Recording.objects.filter(
        interview=interview, consent=Recording.Consent.GIVEN
    ).exists()


def recording_url_for(interview: Interview) -> str | None:
    """A fresh expiring link to the processed recording, or None. Built at send time."""
    return recording_url_of(recording_of(interview))


def recording_url_of(recording: Recording | None) -> str | None:
    """``recording_url_for`` for a recording already loaded (joined to its interview: the
    partner API's status read needs status, file_name and storage_key only)."""
    if recording is None or not _is_processed(recording):
        return None
    return link_create(storage_key=recording.storage_key, file_name=recording.file_name)


def _is_processed(recording: Recording) -> bool:
    return recording.status == Recording.Status.PROCESSED and bool(recording.file_name)


def recording_of(interview: Interview) -> Recording | None:
    """The interview's recording: the one joined when the interview was loaded with its
    report's rows (assessments.report_loading), else queried."""
    if interview.__dict__.get("recording_joined"):
        return getattr(interview, "recording", None)
    return Recording.objects.filter(interview=interview).first()


def recording_for_report(interview: Interview) -> dict | None:
    """The report's part of the interview's (current attempt's) recording."""
    return recording_report_part(recording_of(interview))


def attempt_recordings(interview: Interview) -> dict[int, Recording]:
    """The recordings of the interview's archived attempts, by attempt number (one query)."""
    recordings = Recording.objects.filter(archived_attempt__interview=interview).select_related(
        "archived_attempt"
    )
    return {recording.archived_attempt.number: recording for recording in recordings}


def recording_report_part(recording: Recording | None) -> dict | None:
    """``recording_for_report`` for a recording already loaded (an archived attempt's too)."""
    if recording is None:
        return None
    processed = _is_processed(recording)
    return {
        "status": recording.status,
        "consent": recording.consent or None,
        "duration_seconds": recording.duration_seconds if processed else None,
        "url": recording_url_of(recording),
        "content_type": "video/webm",
        "failure_reason": recording.failure_reason or None,
        "segments": list(recording.segment_map) if processed else [],
        "transcript_engine": recording.transcript_engine or None,
        "transcript": list(recording.transcript) if processed else [],
        # assessments.reports merges these into the report's timeline.
        "transcript_events": [*_gap_events(recording), *_speech_events(recording)]
        if processed
        else [],
    }


def _wall_clock(recording: Recording, offset: float) -> datetime:
    """The moment an offset into the processed file was recorded, through the segment map."""
    spans = [span for span in recording.segment_map if span["offset_seconds"] <= offset]
    if spans:
        span = spans[-1]
        return _span_start(span) + timedelta(seconds=offset - span["offset_seconds"])
    # Processed before segments existed: one recording that began at consent.
    began = recording.consent_at or recording.started_at or recording.created_at
    return began + timedelta(seconds=offset)


def _span_start(span: dict) -> datetime:
    return datetime.fromisoformat(span["started_at"])


def _speech_events(recording: Recording) -> list[dict]:
    return [
        {
            "at": iso(_wall_clock(recording, utterance["start"])),
            "event": "speech",
            "label": f"Said (at {utterance['start']:.0f} s in the recording): {utterance['text']}",
            "offset_seconds": utterance["start"],
        }
        for utterance in recording.transcript
    ]


def _gap_events(recording: Recording) -> list[dict]:
    """One event where a segment ended and the next began (a reload, a second tab, a crash)."""
    events = []
    spans = recording.segment_map
    for before, after in zip(spans, spans[1:], strict=False):
        ended = _span_start(before) + timedelta(seconds=before["duration_seconds"])
        resumed = _span_start(after)
        gap = max(0.0, (resumed - ended).total_seconds())
        events.append(
            {
                "at": iso(ended),
                "event": "recording_gap",
                "label": f"Recording paused for {_duration(gap)} "
                "(page reloaded, another tab or connection lost)",
                "gap_seconds": round(gap, 1),
                "resumed_at": iso(resumed),
                "offset_seconds": after["offset_seconds"],
            }
        )
    return events


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"

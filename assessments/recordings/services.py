"""Recording rules: chunk intake, consent and the hand-off to processing.

What others read (policy, consent, links, the report's part) is in ``selectors``; the names
are re-exported here for the callers that import them from this module.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Interview
from assessments.selectors import interview_is_overdue
from mariohr.enqueue import task_enqueue_or_log

from .models import LEGACY_SEGMENT, Recording, RecordingChunk, RecordingSegment
from .selectors import policy_for, recording_consent_missing

# Re-exported (the `as` says so): callers that read through this module keep working.
from .selectors import recording_for_report as recording_for_report
from .selectors import recording_of as recording_of
from .selectors import recording_url_for as recording_url_for
from .selectors import recording_url_of as recording_url_of

RECORDING_UNFINISHED = {
    Recording.Status.RECEIVING,
    Recording.Status.PENDING,
    Recording.Status.PROCESSING,
}

log = logging.getLogger(__name__)

S = Interview.Status
WEBM_CONTENT_TYPES = {"video/webm", "audio/webm"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
MAX_SEQ = 100_000
SEGMENT_ID = re.compile(r"[A-Za-z0-9_-]{8,40}")
# Every page load that records starts a segment; this bounds a reload loop.
MAX_SEGMENTS = 500
STARTED_SLACK = timedelta(minutes=10)
CONSENT_IMPLIED = "Implied: a recording chunk arrived."
CONSENT_DECLINED = "The candidate declined the recording: no more chunks are taken."
# Interview states after which the capture is over and the recording can be processed.
FINISHED = {S.SUBMITTED, S.COMPLETE, S.EXPIRED}


@dataclass
class ChunkRefused(Exception):
    status: int
    field: str
    detail: str
    # True when no retry can ever succeed: the page should stop recording and say so.
    closed: bool = False


def _refuse_unless_recording(interview: Interview, *, before_start: bool = False) -> None:
    """Chunks are taken while the interview is in progress; consent (``before_start``) also
    while it is only sent, so it can be given before the clock runs."""
    if interview.status == S.CANCELLED:
        raise ChunkRefused(410, "interview", "This interview was cancelled.", closed=True)
    # The candidate pages' rule: an interview in progress keeps MARIOHR_SUBMIT_GRACE_SECONDS
    # past its time limit, so the chunk flushed by the automatic submit still arrives.
    if interview.status == S.EXPIRED or interview_is_overdue(interview):
        raise ChunkRefused(410, "interview", "This interview has expired.", closed=True)
    if interview.status == S.SENT and not before_start:
        raise ChunkRefused(409, "interview", "This interview has not been started.")
    if interview.status not in (S.SENT, S.IN_PROGRESS):
        raise ChunkRefused(
            409, "interview", "This interview has already been submitted.", closed=True
        )
    if policy_for(interview.test) is None:
        raise ChunkRefused(409, "interview", "This test does not record sessions.", closed=True)


def _check_chunk(*, seq: int, data: bytes, content_type: str) -> None:
    if not data:
        raise ChunkRefused(400, "body", "The chunk is empty.")
    if content_type.split(";", 1)[0].strip().lower() not in WEBM_CONTENT_TYPES:
        raise ChunkRefused(
            415, "Content-Type", f"Expected video/webm or audio/webm, got {content_type!r}."
        )
    if not 0 <= seq <= MAX_SEQ:
        raise ChunkRefused(400, "seq", f"Must be between 0 and {MAX_SEQ}.")
    if len(data) > settings.MARIOHR_RECORDING_MAX_CHUNK_BYTES:
        raise ChunkRefused(
            413,
            "body",
            f"A chunk may be at most {settings.MARIOHR_RECORDING_MAX_CHUNK_BYTES} bytes.",
        )
    if seq == 0 and not data.startswith(EBML_MAGIC):
        raise ChunkRefused(415, "body", "The first chunk must start with a WebM (EBML) header.")


def _segment_started_at(interview: Interview, started_ms: int | None) -> datetime | None:
    """The segment's start from the page's ``started`` (epoch ms, server clock), checked
    against the interview: no earlier than its start and no later than now, give or take
    STARTED_SLACK of clock skew the page could not correct."""
    if started_ms is None:
        return None
    now = timezone.now()
    earliest = (interview.started_at or now) - STARTED_SLACK
    latest = now + STARTED_SLACK
    try:
        started_at = datetime.fromtimestamp(started_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        started_at = None
    if started_at is None or not earliest <= started_at <= latest:
        raise ChunkRefused(
            400,
            "started",
            "Must be when this segment began, in milliseconds since 1970 (server clock), "
            "between the interview's start and now.",
        )
    return started_at


def _segment(
    recording: Recording, interview: Interview, client_id: str, started_at: datetime | None
) -> RecordingSegment:
    segment = recording.segments.filter(client_id=client_id).first()
    if segment is not None:
        return segment  # the first chunk fixed started_at; later values are ignored
    if recording.segments.count() >= MAX_SEGMENTS:
        raise ChunkRefused(
            409, "segment", f"A recording may have at most {MAX_SEGMENTS} parts.", closed=True
        )
    began = started_at or recording.consent_at or interview.started_at or timezone.now()
    # get_or_create: two requests of one new segment may race; the loser reads the winner's.
    segment, _ = RecordingSegment.objects.get_or_create(
        recording=recording, client_id=client_id, defaults={"started_at": began}
    )
    return segment


def recording_chunk_receive(
    *,
    interview: Interview,
    seq: int,
    data: bytes,
    content_type: str,
    segment_id: str = LEGACY_SEGMENT,
    started_ms: int | None = None,
) -> tuple[RecordingChunk, bool]:
    """Store one chunk of one segment; ``(chunk, False)`` when it was already stored (a retry).

    A chunk also records consent as given: the page only records after consent, so a lost
    consent request must not leave the answers blocked."""
    _refuse_unless_recording(interview)
    _check_chunk(seq=seq, data=data, content_type=content_type)
    if segment_id != LEGACY_SEGMENT and not SEGMENT_ID.fullmatch(segment_id):
        raise ChunkRefused(400, "segment", "Must be 8 to 40 characters: A-Z, a-z, 0-9, _ or -.")
    started_at = _segment_started_at(interview, started_ms)
    sha256 = hashlib.sha256(data).hexdigest()
    recording, _ = Recording.objects.get_or_create(interview=interview)
    _refuse_if_declined(recording)
    segment = _segment(recording, interview, segment_id, started_at)
    existing = segment.chunks.filter(seq=seq).first()
    if existing is not None:
        return _duplicate(existing, sha256)
    if recording.received_bytes + len(data) > settings.MARIOHR_RECORDING_MAX_BYTES:
        raise ChunkRefused(413, "body", "The recording has reached its size limit.")
    # Bytes go to storage before the row exists, outside any transaction; a crash in
    # between leaves an unreferenced object, never a row pointing at nothing.
    name = f"recordings/{recording.storage_key}/chunks/{segment.client_id}-{seq:06d}.webm"
    try:
        stored_name = default_storage.save(name, ContentFile(data))
    except Exception as error:
        log.exception("storing chunk %s of recording %s failed", seq, recording.pk)
        raise ChunkRefused(503, "storage", "The recording could not be stored; retry.") from error
    try:
        with transaction.atomic():
            chunk = _chunk_record(
                recording,
                interview,
                segment,
                seq=seq,
                stored_name=stored_name,
                size=len(data),
                sha256=sha256,
            )
    except IntegrityError:
        # The same chunk raced in on another connection; that copy won.
        default_storage.delete(stored_name)
        return _duplicate(segment.chunks.get(seq=seq), sha256)
    except ChunkRefused:
        default_storage.delete(stored_name)
        raise
    return chunk, True


def _chunk_record(
    recording, interview, segment, *, seq, stored_name, size, sha256
) -> RecordingChunk:
    locked = Recording.objects.select_for_update().get(pk=recording.pk)
    current_status = Interview.objects.values_list("status", flat=True).get(pk=interview.pk)
    if locked.status != Recording.Status.RECEIVING or current_status != S.IN_PROGRESS:
        raise ChunkRefused(
            409, "interview", "The session recording is already closed.", closed=True
        )
    _refuse_if_declined(locked)
    chunk = RecordingChunk.objects.create(
        recording=locked,
        segment=segment,
        seq=seq,
        file_name=stored_name,
        size_bytes=size,
        sha256=sha256,
    )
    now = timezone.now()
    fields = {
        "chunk_count": F("chunk_count") + 1,
        "received_bytes": F("received_bytes") + size,
        "last_chunk_at": now,
    }
    if locked.consent != Recording.Consent.GIVEN:
        fields.update(
            consent=Recording.Consent.GIVEN, consent_detail=CONSENT_IMPLIED, consent_at=now
        )
    Recording.objects.filter(pk=locked.pk).update(**fields)
    return chunk


def _refuse_if_declined(recording: Recording) -> None:
    """The last answer wins: a chunk implies consent only when none was declined since (a
    recorder that kept running after the decline must stop)."""
    if recording.consent == Recording.Consent.DECLINED:
        raise ChunkRefused(409, "consent", CONSENT_DECLINED, closed=True)


def _duplicate(existing: RecordingChunk, sha256: str) -> tuple[RecordingChunk, bool]:
    if existing.sha256 != sha256:
        raise ChunkRefused(
            409, "seq", f"Chunk {existing.seq} was already received with other bytes."
        )
    return existing, False


def recording_consent_record(*, interview: Interview, consent: str, detail: str = "") -> Recording:
    """Record the candidate's answer (before or after Start); the last answer wins."""
    _refuse_unless_recording(interview, before_start=True)
    if consent not in Recording.Consent.values:
        raise ChunkRefused(400, "consent", f"Must be one of {', '.join(Recording.Consent.values)}.")
    recording, _ = Recording.objects.get_or_create(interview=interview)
    recording.consent = consent
    recording.consent_detail = detail[:500]
    recording.consent_at = timezone.now()
    recording.save(update_fields=["consent", "consent_detail", "consent_at"])
    return recording


START_CONSENT_MISSING = (
    "This test requires a camera and microphone recording. Agree to the recording and check "
    "your camera and microphone above, then press Start. The time limit has not started."
)


def recording_consent_before_start(*, interview: Interview, consent: str = "", detail: str = ""):
    """Record the Start form's consent answer (if any) before the clock runs; refuse (409)
    when the test requires a recording and consent was given neither now nor earlier."""
    if consent and policy_for(interview.test) is not None:
        # A form field may carry NUL, which PostgreSQL cannot store.
        detail = detail.replace("\x00", "")
        recording_consent_record(interview=interview, consent=consent, detail=detail)
    if recording_consent_missing(interview):
        raise ChunkRefused(409, "recording_consent", START_CONSENT_MISSING)


def recording_capture_close(*, interview: Interview) -> None:
    """Called inside the status-change transaction: no more chunks; process after commit."""
    now = timezone.now()
    closed = Recording.objects.filter(
        interview=interview, status=Recording.Status.RECEIVING
    ).update(status=Recording.Status.PENDING, enqueued_at=now)
    if closed:
        recording_pk = Recording.objects.values_list("pk", flat=True).get(interview=interview)
        transaction.on_commit(lambda: recording_enqueue(recording_pk=recording_pk))


def recording_enqueue(*, recording_pk: int) -> None:
    # By name: the task's module imports this one (through processing). With the broker
    # down, the submission stands and the recordings sweeper queues it later.
    task_enqueue_or_log("assessments.recordings.tasks.process_recording", recording_pk)


class RecordingUnfinished(Exception):
    """The recording is still being received or processed: it cannot be archived yet."""


def recording_archive(*, interview: Interview, attempt) -> Recording | None:
    """Called inside a retake's transaction: the interview's recording moves to ``attempt``
    (the archived InterviewAttempt), so the new attempt records afresh. Refused with
    ``RecordingUnfinished`` while it is not processed or failed; ``recording_archive_check``
    says so before anything is written."""
    recording = recording_archive_check(interview=interview)
    if recording is not None:
        recording.interview = None
        recording.archived_attempt = attempt
        recording.save(update_fields=["interview", "archived_attempt"])
    return recording


def recording_archive_check(*, interview: Interview) -> Recording | None:
    """The interview's recording, row-locked (so processing cannot claim it meanwhile), when
    it can be archived; ``RecordingUnfinished`` when it is still being received or processed."""
    recording = Recording.objects.select_for_update().filter(interview=interview).first()
    if recording is not None and recording.status in RECORDING_UNFINISHED:
        raise RecordingUnfinished(
            f"The recording of attempt {interview.attempt_number} is still being processed; "
            "try again in a few minutes."
        )
    return recording

"""Recording rules: chunk intake, consent, hand-off to processing, and what others read.

Other apps call ``recording_url_for``, ``recording_for_report`` and
``recording_processing_pending``; all three are cheap reads safe to call at send time.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from assessments.candidate_services import interview_is_overdue
from assessments.models import Interview
from assessments.reports import iso

from .links import link_create
from .models import Recording, RecordingChunk, RecordingPolicy

log = logging.getLogger(__name__)

S = Interview.Status
WEBM_CONTENT_TYPES = {"video/webm", "audio/webm"}
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
MAX_SEQ = 100_000
# Interview states after which the capture is over and the recording can be processed.
FINISHED = {S.SUBMITTED, S.COMPLETE, S.EXPIRED}


@dataclass
class ChunkRefused(Exception):
    status: int
    field: str
    detail: str


def policy_for(test) -> RecordingPolicy | None:
    """The test's policy when it records at all (required or optional), else None."""
    policy = RecordingPolicy.objects.filter(test=test).first()
    if policy is None or policy.mode == RecordingPolicy.Mode.OFF:
        return None
    return policy


def _refuse_unless_recording(interview: Interview) -> None:
    if interview.status == S.CANCELLED:
        raise ChunkRefused(410, "interview", "This interview was cancelled.")
    # The candidate pages' rule: an interview in progress keeps MARIOHR_SUBMIT_GRACE_SECONDS
    # past its time limit, so the chunk flushed by the automatic submit still arrives.
    if interview.status == S.EXPIRED or interview_is_overdue(interview):
        raise ChunkRefused(410, "interview", "This interview has expired.")
    if interview.status == S.SENT:
        raise ChunkRefused(409, "interview", "This interview has not been started.")
    if interview.status != S.IN_PROGRESS:
        raise ChunkRefused(409, "interview", "This interview has already been submitted.")
    if policy_for(interview.test) is None:
        raise ChunkRefused(409, "interview", "This test does not record sessions.")


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


def recording_chunk_receive(
    *, interview: Interview, seq: int, data: bytes, content_type: str
) -> tuple[RecordingChunk, bool]:
    """Store one chunk; ``(chunk, False)`` when this seq was already stored (a retry)."""
    _refuse_unless_recording(interview)
    _check_chunk(seq=seq, data=data, content_type=content_type)
    sha256 = hashlib.sha256(data).hexdigest()
    recording, _ = Recording.objects.get_or_create(interview=interview)
    existing = recording.chunks.filter(seq=seq).first()
    if existing is not None:
        return _duplicate(existing, sha256)
    if recording.received_bytes + len(data) > settings.MARIOHR_RECORDING_MAX_BYTES:
        raise ChunkRefused(413, "body", "The recording has reached its size limit.")
    # Bytes go to storage before the row exists, outside any transaction; a crash in
    # between leaves an unreferenced object, never a row pointing at nothing.
    name = f"recordings/{recording.storage_key}/chunks/{seq:06d}.webm"
    try:
        stored_name = default_storage.save(name, ContentFile(data))
    except Exception as error:
        log.exception("storing chunk %s of recording %s failed", seq, recording.pk)
        raise ChunkRefused(503, "storage", "The recording could not be stored; retry.") from error
    try:
        with transaction.atomic():
            locked = Recording.objects.select_for_update().get(pk=recording.pk)
            current_status = Interview.objects.values_list("status", flat=True).get(pk=interview.pk)
            if locked.status != Recording.Status.RECEIVING or current_status != S.IN_PROGRESS:
                raise ChunkRefused(409, "interview", "The session recording is already closed.")
            chunk = RecordingChunk.objects.create(
                recording=locked,
                seq=seq,
                file_name=stored_name,
                size_bytes=len(data),
                sha256=sha256,
            )
            Recording.objects.filter(pk=locked.pk).update(
                chunk_count=F("chunk_count") + 1,
                received_bytes=F("received_bytes") + len(data),
                last_chunk_at=timezone.now(),
            )
    except IntegrityError:
        # The same seq raced in on another connection; that copy won.
        default_storage.delete(stored_name)
        return _duplicate(recording.chunks.get(seq=seq), sha256)
    except ChunkRefused:
        default_storage.delete(stored_name)
        raise
    return chunk, True


def _duplicate(existing: RecordingChunk, sha256: str) -> tuple[RecordingChunk, bool]:
    if existing.sha256 != sha256:
        raise ChunkRefused(
            409, "seq", f"Chunk {existing.seq} was already received with other bytes."
        )
    return existing, False


def recording_consent_record(*, interview: Interview, consent: str, detail: str = "") -> Recording:
    _refuse_unless_recording(interview)
    if consent not in Recording.Consent.values:
        raise ChunkRefused(400, "consent", f"Must be one of {', '.join(Recording.Consent.values)}.")
    recording, _ = Recording.objects.get_or_create(interview=interview)
    recording.consent = consent
    recording.consent_detail = detail[:500]
    recording.consent_at = timezone.now()
    recording.save(update_fields=["consent", "consent_detail", "consent_at"])
    return recording


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
    from .tasks import process_recording

    process_recording.delay(recording_pk)


def _processed(interview: Interview) -> Recording | None:
    return (
        Recording.objects.filter(interview=interview, status=Recording.Status.PROCESSED)
        .exclude(file_name="")
        .first()
    )


def recording_url_for(interview: Interview) -> str | None:
    """A fresh expiring link to the processed recording, or None. Built at send time."""
    recording = _processed(interview)
    if recording is None:
        return None
    return _link(recording)


def _link(recording: Recording) -> str:
    return link_create(storage_key=recording.storage_key, file_name=recording.file_name)


def recording_for_report(interview: Interview) -> dict | None:
    recording = Recording.objects.filter(interview=interview).first()
    if recording is None:
        return None
    processed = recording.status == Recording.Status.PROCESSED and bool(recording.file_name)
    return {
        "status": recording.status,
        "consent": recording.consent or None,
        "duration_seconds": recording.duration_seconds if processed else None,
        "url": _link(recording) if processed else None,
        "content_type": "video/webm",
        "failure_reason": recording.failure_reason or None,
        "transcript_engine": recording.transcript_engine or None,
        "transcript": list(recording.transcript) if processed else [],
        # assessments.reports merges these into the report's timeline.
        "transcript_events": _speech_events(recording) if processed else [],
    }


def _speech_events(recording: Recording) -> list[dict]:
    # Utterance times are offsets into the recording, which began when consent was given.
    began = recording.consent_at or recording.interview.started_at or recording.created_at
    return [
        {
            "at": iso(began + timedelta(seconds=utterance["start"])),
            "event": "speech",
            "label": f"Said (at {utterance['start']:.0f} s in the recording): {utterance['text']}",
            "offset_seconds": utterance["start"],
        }
        for utterance in recording.transcript
    ]


def recording_processing_pending(interview: Interview) -> bool:
    """True while a results callback should wait for this interview's recording.

    The wait is bounded: MARIOHR_RECORDING_WAIT_SECONDS after the interview finished, the
    results go out anyway (with recording_url null).
    """
    if interview.status not in FINISHED:
        return False
    status = Recording.objects.filter(interview=interview).values_list("status", flat=True).first()
    if status is None or status in (Recording.Status.PROCESSED, Recording.Status.FAILED):
        return False
    finished_at = interview.submitted_at or interview.completed_at or interview.status_changed_at
    budget = timedelta(seconds=settings.MARIOHR_RECORDING_WAIT_SECONDS)
    return timezone.now() < finished_at + budget

"""Turn uploaded chunks into one checked, seekable recording with a transcript.

Idempotent: a recording is claimed with a conditional update (PENDING -> PROCESSING), so a
duplicate task or a second worker does nothing. Storage and media work run outside any
transaction; chunks are deleted only after the result is stored and recorded.
"""

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from mariohr.formats import iso

from . import media, transcribe
from .models import Recording, RecordingSegment
from .services import FINISHED, recording_enqueue
from .signals import recording_processed_send

log = logging.getLogger(__name__)

R = Recording.Status
MAX_ATTEMPTS = 5
STALE_PENDING = timedelta(minutes=10)
STALE_PROCESSING = timedelta(minutes=30)


def recording_process(*, recording_pk: int) -> None:
    claimed = Recording.objects.filter(pk=recording_pk, status=R.PENDING).update(
        status=R.PROCESSING,
        processing_started_at=timezone.now(),
        processing_attempts=F("processing_attempts") + 1,
    )
    if not claimed:
        return
    recording = Recording.objects.select_related("interview").get(pk=recording_pk)
    try:
        with tempfile.TemporaryDirectory(prefix="mariohr-recording-") as workdir:
            fields = _assemble_check_store(recording, Path(workdir))
    except media.MediaError as error:
        _finish(recording, status=R.FAILED, failure_reason=str(error))
        log.warning("recording %s failed: %s", recording.pk, error)
        return
    except Exception as error:
        if not Recording.objects.filter(pk=recording.pk).exists():
            # Erased or purged meanwhile (its chunks went first): nothing to retry.
            log.info("recording %s was deleted while processing: %s", recording.pk, error)
            return
        # Transient (storage, worker): back to the queue; the task retries, the sweep too.
        status = R.FAILED if recording.processing_attempts >= MAX_ATTEMPTS else R.PENDING
        Recording.objects.filter(pk=recording.pk, status=R.PROCESSING).update(
            status=status,
            last_error=f"{type(error).__name__}: {error}",
            failure_reason=f"Gave up after {MAX_ATTEMPTS} attempts: {error}"
            if status == R.FAILED
            else "",
            enqueued_at=timezone.now(),
        )
        raise
    if _finish(recording, status=R.PROCESSED, processed_at=timezone.now(), **fields):
        if recording.interview_id is not None:
            # The ATS hears of the current attempt's recording only, never an archived one
            # (a failed one processed again after a retake).
            recording_processed_send(recording=recording)
        _chunks_delete(recording)
    elif not Recording.objects.filter(pk=recording.pk).exists():
        # Erased or purged while processing: the file stored here would belong to no row.
        default_storage.delete(fields["file_name"])
        log.info("recording %s was deleted while processing; removed its file", recording.pk)


def _finish(recording: Recording, **fields) -> bool:
    return bool(Recording.objects.filter(pk=recording.pk, status=R.PROCESSING).update(**fields))


HEADER_MISSING = "The first chunk, which holds the WebM header, never arrived."
HEADER_CORRUPT = (
    "The first chunk, which holds the WebM header, does not match the checksum "
    "recorded when it arrived."
)


@dataclass
class _Part:
    segment: RecordingSegment
    path: Path
    missing: list[int]


def _assemble_check_store(recording: Recording, workdir: Path) -> dict:
    segments = list(recording.segments.order_by("started_at", "created_at", "id"))
    chunks_by_segment = {s.pk: list(s.chunks.order_by("seq")) for s in segments}
    segments = [s for s in segments if chunks_by_segment[s.pk]]
    if not segments:
        reason = "No video was uploaded."
        if recording.consent and recording.consent != Recording.Consent.GIVEN:
            reason += f" Consent: {recording.get_consent_display()} {recording.consent_detail}"
        raise media.MediaError(reason.strip())
    several = len(segments) > 1
    parts, notes = [], []
    for number, segment in enumerate(segments, 1):
        part, note = _segment_assemble(segment, chunks_by_segment[segment.pk], workdir)
        if part is None and not several:
            raise media.MediaError(note)
        if note:
            notes.append(f"{_part_name(number, segment)}: {note}" if several else note)
        if part is not None:
            parts.append(part)
    if not parts:
        raise media.MediaError(" ".join(notes))
    result = workdir / "session.webm"
    spans = media.concatenate([part.path for part in parts], result)
    segment_map, missing = [], []
    for part, span in zip(parts, spans, strict=True):
        part.path.unlink()
        if span is None:
            number = segments.index(part.segment) + 1
            notes.append(
                f"{_part_name(number, part.segment)}: no playable audio or video; left out."
            )
            continue
        missing.extend(
            part.missing
            if not several
            else [{"segment": part.segment.client_id, "seq": seq} for seq in part.missing]
        )
        segment_map.append(
            {
                "index": len(segment_map),
                "segment": part.segment.client_id,
                "started_at": iso(part.segment.started_at),
                "offset_seconds": span.offset_seconds,
                "duration_seconds": span.duration_seconds,
                "missing_chunks": part.missing,
            }
        )
    info = media.probe(result)
    size = result.stat().st_size
    if "webm" not in info.container and "matroska" not in info.container:
        raise media.MediaError(f"Remuxed file is {info.container}, not WebM.")
    if info.duration_seconds <= 0 or size == 0:
        raise media.MediaError("The recording has no duration.")
    fields = {
        "container": "webm",
        "duration_seconds": info.duration_seconds,
        "size_bytes": size,
        "sha256": _sha256(result),
        "missing_chunks": missing,
        "segment_map": segment_map,
        "failure_reason": " ".join(notes),
        "last_error": "",
    }
    fields.update(_transcript(result, workdir, has_audio=info.has_audio))
    name = f"recordings/{recording.storage_key}/session.webm"
    if default_storage.exists(name):
        default_storage.delete(name)  # an earlier attempt stored it but did not finish
    with result.open("rb") as handle:
        fields["file_name"] = default_storage.save(name, File(handle, name="session.webm"))
    return fields


def _part_name(number: int, segment: RecordingSegment) -> str:
    return f"Part {number} (started {segment.started_at:%H:%M:%S} UTC)"


def _segment_assemble(segment, chunks, workdir: Path) -> tuple[_Part | None, str]:
    """One segment's chunks in one file; (None, why) when its header is missing or corrupt.

    Left-out chunks are missing from the file whatever the cause; the note says which were
    dropped for a checksum mismatch."""
    seqs = {chunk.seq for chunk in chunks}
    missing = sorted(set(range(chunks[-1].seq + 1)) - seqs)
    if 0 in missing:
        return None, HEADER_MISSING
    path = workdir / f"segment-{segment.pk}.webm"
    corrupt = _assemble(chunks, path)
    if 0 in corrupt:
        path.unlink()
        return None, HEADER_CORRUPT
    note = ""
    if corrupt:
        listed = ", ".join(str(seq) for seq in corrupt)
        note = (
            f"Chunk(s) {listed} did not match the checksum recorded when they arrived "
            "and were left out."
        )
    return _Part(segment, path, sorted({*missing, *corrupt})), note


def _assemble(chunks, assembled: Path) -> list[int]:
    """Concatenate the chunks whose bytes still match the sha256 recorded on upload;
    returns the seqs of those that do not (left out)."""
    corrupt = []
    with assembled.open("wb") as out:
        for chunk in chunks:
            start = out.tell()
            digest = hashlib.sha256()
            with default_storage.open(chunk.file_name, "rb") as part:
                while block := part.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != chunk.sha256:
                log.warning(
                    "chunk %s of recording %s fails its checksum", chunk.seq, chunk.recording_id
                )
                out.seek(start)
                out.truncate()
                corrupt.append(chunk.seq)
    return corrupt


def _transcript(result: Path, workdir: Path, *, has_audio: bool) -> dict:
    engine = transcribe.transcriber_name()
    if not has_audio:
        return {"transcript": [], "transcript_engine": engine, "transcript_error": "No audio."}
    pcm = workdir / "audio.pcm"
    try:
        media.extract_pcm(result, pcm)
        utterances = transcribe.transcribe(pcm, media.TRANSCRIBE_SAMPLE_RATE)
    except Exception as error:
        # A recording without a transcript is still worth delivering.
        log.exception("transcription of %s failed", result)
        return {"transcript": [], "transcript_engine": engine, "transcript_error": str(error)}
    return {
        "transcript": [u.as_dict() for u in utterances],
        "transcript_engine": engine,
        "transcript_error": "",
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _chunks_delete(recording: Recording) -> None:
    for chunk in recording.chunks.all():
        try:
            default_storage.delete(chunk.file_name)
        except Exception:
            log.exception("could not delete chunk %s; kept its row", chunk.file_name)
            continue
        chunk.delete()


def recording_reprocess(*, recording: Recording) -> bool:
    """Admin action: queue a failed (or stuck) recording again. Chunks were kept."""
    queued = Recording.objects.filter(pk=recording.pk, status__in=[R.FAILED, R.PROCESSING]).update(
        status=R.PENDING, enqueued_at=timezone.now(), processing_attempts=0
    )
    if queued:
        recording_enqueue(recording_pk=recording.pk)
    return bool(queued)


def recordings_sweep() -> int:
    """Beat: re-queue recordings whose task was lost or whose worker died. Returns count."""
    now = timezone.now()
    Recording.objects.filter(
        status=R.PROCESSING, processing_started_at__lt=now - STALE_PROCESSING
    ).update(status=R.PENDING, enqueued_at=None)
    Recording.objects.filter(status=R.RECEIVING, interview__status__in=list(FINISHED)).update(
        status=R.PENDING, enqueued_at=None
    )
    stale = Recording.objects.filter(status=R.PENDING).exclude(enqueued_at__gt=now - STALE_PENDING)
    count = 0
    for recording_pk in stale.values_list("pk", flat=True):
        if Recording.objects.filter(pk=recording_pk, status=R.PENDING).update(enqueued_at=now):
            recording_enqueue(recording_pk=recording_pk)
            count += 1
    return count

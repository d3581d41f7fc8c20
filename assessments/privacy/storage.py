"""A recording's objects in storage (S3 through django-storages, or local files)."""

import logging

from django.core.files.storage import default_storage
from django.db.models import Q

from assessments.recordings.models import Recording, RecordingChunk

logger = logging.getLogger(__name__)


def recordings_of(interview_ids) -> list[Recording]:
    """The current and the archived attempts' recordings of these interviews."""
    return list(
        Recording.objects.filter(
            Q(interview_id__in=interview_ids) | Q(archived_attempt__interview_id__in=interview_ids)
        )
    )


def _prefix(recording: Recording) -> str:
    return f"recordings/{recording.storage_key}/"


def _walk(folder: str) -> list[str]:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [f"{folder}{name}" for name in files]
    for sub in folders:
        names += _walk(f"{folder}{sub}/")
    return names


def recording_objects(recording: Recording) -> list[str]:
    """Every object name of the recording: its chunks, its file, and whatever else lies under
    its key (a crash between a write and its row leaves objects no row names)."""
    names = set(
        RecordingChunk.objects.filter(recording=recording).values_list("file_name", flat=True)
    )
    if recording.file_name:
        names.add(recording.file_name)
    names.update(_walk(_prefix(recording)))
    return sorted(name for name in names if name)


def recording_objects_delete(recording: Recording) -> int:
    """Delete the recording's objects (not its rows); deleting a missing object is no error,
    so an interrupted purge simply runs again. Never call inside a transaction."""
    names = recording_objects(recording)
    for name in names:
        default_storage.delete(name)
    return len(names)

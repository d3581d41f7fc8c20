"""Everything held about a candidate, for a subject access request: one JSON document and,
in a zip beside it, the recording files."""

import json
import zipfile
from typing import IO

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from assessments.models import Candidate, Interview

from .anonymize import interview_ids_of
from .signals import candidate_data_exporting
from .storage import recordings_of

CANDIDATE_FIELDS = [
    "id",
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "phone_number",
    "resume_url",
    "profile_url",
    "ats_candidate_id",
    "ats_application_id",
    "created_at",
]
INTERVIEW_FIELDS = [
    "partner_interview_id",
    "source",
    "status",
    "sent_at",
    "started_at",
    "submitted_at",
    "completed_at",
    "scored_at",
    "expires_at",
    "cancelled_at",
    "score",
    "max_score",
    "ats_data",
    "attempt_number",
    "extra_time_percent",
    "extra_time_minutes",
    "accommodation_note",
    "metadata",
]


def _recording_files(recording) -> list[str]:
    if recording.file_name:
        return [recording.file_name]
    return list(recording.chunks.order_by("segment_id", "seq").values_list("file_name", flat=True))


def _zip_name(recording, name: str) -> str:
    return f"recordings/{recording.storage_key}/{name.rsplit('/', 1)[-1]}"


def _interview(interview: Interview) -> dict:
    data = {name: getattr(interview, name) for name in INTERVIEW_FIELDS}
    data["test"] = interview.test.partner_test_id
    data["answers"] = [
        {"key": answer.key, "value": answer.value, "saved_at": answer.saved_at}
        for answer in interview.answers.all()
    ]
    data["events"] = [
        {"kind": event.kind, "at": event.at, "data": event.data} for event in interview.events.all()
    ]
    data["score_lines"] = [
        {
            "label": line.label,
            "points": line.points,
            "max_points": line.max_points,
            "comment": line.comment,
        }
        for line in interview.score_lines.all()
    ]
    data["earlier_attempts"] = [
        {"number": a.number, "status": a.status, "score": a.score, "snapshot": a.snapshot}
        for a in interview.attempts.all()
    ]
    feedback = getattr(interview, "candidate_feedback", None)
    data["feedback"] = None
    if feedback is not None:
        data["feedback"] = {"rating": feedback.rating, "comment": feedback.comment}
    return data


def candidate_export_data(*, candidate: Candidate) -> dict:
    interviews = list(
        Interview.objects.filter(candidate=candidate).select_related("test").order_by("sent_at")
    )
    recordings = recordings_of([interview.pk for interview in interviews])
    data = {
        "exported_at": timezone.now(),
        "organization": candidate.organization.slug,
        "candidate": {name: getattr(candidate, name) for name in CANDIDATE_FIELDS},
        "interviews": [_interview(interview) for interview in interviews],
        "recordings": [
            {
                "storage_key": recording.storage_key,
                "status": recording.status,
                "consent": recording.consent,
                "created_at": recording.created_at,
                "duration_seconds": recording.duration_seconds,
                "transcript": recording.transcript,
                "files": [_zip_name(recording, name) for name in _recording_files(recording)],
            }
            for recording in recordings
        ],
    }
    interview_ids = [interview.pk for interview in interviews]
    for _, sections in candidate_data_exporting.send(
        sender=Candidate, candidate=candidate, interview_ids=interview_ids
    ):
        data.update(sections or {})
    return data


def candidate_export_zip(*, candidate: Candidate, target: IO[bytes]) -> int:
    """Write candidate.json and the recording files into ``target``; returns the file count."""
    data = candidate_export_data(candidate=candidate)
    files = 1
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("candidate.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2))
        for recording in recordings_of(interview_ids_of(candidate)):
            for name in _recording_files(recording):
                with (
                    default_storage.open(name, "rb") as source,
                    archive.open(_zip_name(recording, name), "w") as out,
                ):
                    for block in iter(lambda: source.read(1 << 20), b""):  # noqa: B023
                        out.write(block)
                files += 1
    return files

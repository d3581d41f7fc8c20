"""The report: one builder for the report page, its JSON and the results callback's `report`.

It must never carry a secret: no candidate token, no environment field marked secret (or
whose label says password, token, key or secret), and secret values the candidate pasted into
an answer are redacted.
"""

import re

from django.contrib.auth import get_user_model

from mariohr.formats import iso, json_number

from .integrity import KIND_NAMES as SIGNAL_EVENTS
from .integrity import recording_offset, signal_entry, signals_summary
from .models import Interview, Question, Test
from .privacy.selectors import recording_retention
from .recordings.selectors import attempt_recordings, recording_for_report, recording_report_part

SECRET_LABEL = re.compile(r"pass(word|phrase)?|secret|token|api[\s_-]?key|\bkey\b|credential", re.I)
REDACTED = "[redacted]"
REVIEW_LABELS = {"solution_url": "Solution link", "notes": "Notes for the reviewer"}
EVENT_LABELS = {
    "started": "Started the test",
    "answer_saved": "Answers saved",
    "submitted": "Submitted",
    "scored": "Scored",
    "score_corrected": "Score corrected",
    "expired": "Expired",
    "cancelled": "Cancelled",
    "invitation_resent": "Invitation sent again",
    "deadline_extended": "Invitation deadline extended",
    "time_added": "Extra time added",
    "reopened": "Reopened with a new deadline",
    "retake_started": "Retake: a new attempt with a new link",
    "accommodation_set": "Accommodation updated",
    "answers_refused": "Answers left out of the time-up submit (refused)",
}
# The candidate asked the organization's contact for an accommodation: that is between them,
# so the report (and the ATS) never shows it.
PRIVATE_EVENTS = {"accommodation_requested"}
# Recording states before it is processed (or failed), and interview states after capture.
RECORDING_NOT_READY = {"receiving", "pending", "processing"}
INTERVIEW_FINISHED = {
    Interview.Status.SUBMITTED,
    Interview.Status.COMPLETE,
    Interview.Status.EXPIRED,
}


def environment_value_is_secret(*, label: str, is_secret: bool) -> bool:
    return is_secret or bool(SECRET_LABEL.search(label))


def reviewer_display_name(user) -> str:
    """How reports name a reviewer: first and last name, never the admin login."""
    return (user.get_full_name() if user else "") or "Reviewer"


def report_build(interview: Interview) -> dict:
    environment_values = list(interview.environment_values.all())
    secrets = _secret_values(interview, environment_values)
    events = list(interview.events.all())
    recording = recording_for_report(interview)
    extra_events = recording.pop("transcript_events", []) if isinstance(recording, dict) else []
    if isinstance(recording, dict):
        # The results go out without waiting; the link follows once this turns false.
        recording["processing"] = (
            recording["status"] in RECORDING_NOT_READY and interview.status in INTERVIEW_FINISHED
        )
        # Retention (assessments.privacy): the date once the interview ended, else the days.
        deleted_at, recording["retention_days"] = recording_retention(interview)
        recording["deleted_at"] = iso(deleted_at)
    reviewer = interview.scored_by
    # Only quizzes have questions (answer keys q<id>); other tests answer form fields.
    questions = (
        list(interview.test.questions.prefetch_related("choices"))
        if interview.test.kind == Test.Kind.QUIZ
        else []
    )
    return {
        "partner_interview_id": interview.partner_interview_id,
        "candidate": {
            "name": interview.candidate.display_name,
            "email": interview.candidate.email,
        },
        "organization": interview.organization.name,
        "test": {
            "partner_test_id": interview.test.partner_test_id,
            "name": interview.test.name,
            "kind": interview.test.kind,
            "time_limit_minutes": interview.test.time_limit_minutes,
        },
        "status": interview.status,
        "score": json_number(interview.score),
        "max_score": json_number(interview.max_score),
        "sent_at": iso(interview.sent_at),
        "started_at": iso(interview.started_at),
        "submitted_at": iso(interview.submitted_at),
        "completed_at": iso(interview.completed_at),
        "scored_at": iso(interview.scored_at),
        "scored_by": reviewer_display_name(reviewer) if reviewer else None,
        "breakdown": [
            {
                "label": line.label,
                "points": json_number(line.points),
                "max_points": json_number(line.max_points),
                "comment": _redact(line.comment, secrets),
            }
            for line in interview.score_lines.all()
        ],
        "transcript": _transcript(interview, events, extra_events, questions, secrets, recording),
        # Counts of pastes, time away and idle time: shown to the reviewer, never judged.
        "integrity_signals": signals_summary(events),
        "answers": _answers(interview, secrets, questions),
        "environment": [
            {"label": value.label, "value": value.value}
            for value in environment_values
            if not environment_value_is_secret(label=value.label, is_secret=value.is_secret)
        ],
        "recording": recording,
        # That extra time applied, never how much or why (the note stays in the admin).
        "accommodation_applied": interview.has_accommodation,
        # A retaken test: the current attempt counts; the earlier ones are kept (see below).
        "attempt_number": interview.attempt_number,
        "attempts": _attempts(interview),
    }


def attempt_snapshot_build(interview: Interview) -> dict:
    """What the report keeps of an attempt that a retake archives: its answers and score
    lines, redacted now (the environment values that name the secrets are about to go)."""
    report = report_build(interview)
    return {
        "answers": report["answers"],
        "score_lines": report["breakdown"],
        "recording": report["recording"] is not None,
    }


def _attempts(interview: Interview) -> list[dict]:
    if interview.attempt_number <= 1:
        return []  # no query for the (usual) first attempt
    recordings = attempt_recordings(interview)
    return [
        {
            "number": attempt.number,
            "counts": False,
            "status": attempt.status,
            "started_at": iso(attempt.started_at),
            "submitted_at": iso(attempt.submitted_at),
            "score": json_number(attempt.score),
            "max_score": json_number(attempt.max_score),
            "archived_at": iso(attempt.archived_at),
            "breakdown": attempt.snapshot.get("score_lines", []),
            "answers": attempt.snapshot.get("answers", []),
            # Its own recording (player and link on the page); None when it made none.
            "recording": _attempt_recording(recordings.get(attempt.number)),
        }
        for attempt in interview.attempts.all()
    ]


def _attempt_recording(recording) -> dict | None:
    part = recording_report_part(recording)
    if part is not None:
        part.pop("transcript_events")  # the timeline is the current attempt's
        part["processing"] = False  # a retake waits until it is processed or failed
    return part


def _secret_values(interview: Interview, environment_values) -> list[str]:
    values = [
        value.value
        for value in environment_values
        if environment_value_is_secret(label=value.label, is_secret=value.is_secret)
    ]
    values.append(interview.candidate_token)
    # Longest first so a secret containing another is redacted whole.
    return sorted((value for value in values if len(value) >= 4), key=len, reverse=True)


def _redact(text, secrets: list[str]):
    if not isinstance(text, str):
        return text
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _transcript(
    interview: Interview, events: list, extra_events: list, questions: list, secrets, recording
) -> list[dict]:
    numbers = {q.answer_key: f"Q{n}" for n, q in enumerate(questions, 1)}
    reviewers = _reviewer_names(events, known=interview.scored_by)
    entries = []
    for event in events:
        if event.kind in PRIVATE_EVENTS:
            continue
        if event.kind in SIGNAL_EVENTS:
            entries.append(_signal_entry(event, secrets, recording))
            continue
        entry = {"at": iso(event.at), "event": event.kind, "label": EVENT_LABELS.get(event.kind)}
        if event.kind in ("answer_saved", "answers_refused"):
            keys = event.data.get("refused" if event.kind == "answers_refused" else "answers", [])
            entry["answers"] = [numbers.get(key) or REVIEW_LABELS.get(key, key) for key in keys]
        if event.kind == "answer_saved":
            entry["saves"] = event.data.get("saves", 1)
        for name in ("automatic", "reason", "minutes", "attempt"):
            if name in event.data:
                entry[name] = event.data[name]
        if "reviewer_id" in event.data or "reviewer" in event.data:
            entry["reviewer"] = reviewers.get(
                event.data.get("reviewer_id"), reviewers.get(event.data.get("reviewer"), "Reviewer")
            )
        entries.append(entry)
    entries.extend(event for event in extra_events if isinstance(event, dict))
    return sorted(entries, key=lambda entry: entry.get("at") or "")


def _signal_entry(event, secrets: list, recording) -> dict:
    entry = signal_entry(event, secrets)
    segments = recording.get("segments") if isinstance(recording, dict) else None
    offset = recording_offset(entry["at"], segments or [])
    if offset is not None:
        entry["offset_seconds"] = offset  # the report page seeks the recording there
    return entry


def _reviewer_names(events, *, known=None) -> dict:
    """Display names by user id and by login (events written before ids were kept);
    ``known`` is a user already loaded (the one who scored), looked up only if others are."""
    ids = {event.data["reviewer_id"] for event in events if "reviewer_id" in event.data}
    logins = {event.data["reviewer"] for event in events if "reviewer" in event.data}
    if not ids and not logins:
        return {}
    if known is not None and ids <= {known.pk} and logins <= {known.get_username()}:
        name = reviewer_display_name(known)
        return {known.pk: name, known.get_username(): name}
    User = get_user_model()
    users = User.objects.filter(pk__in=ids) | User.objects.filter(
        **{f"{User.USERNAME_FIELD}__in": logins}
    )
    names = {}
    for user in users:
        names[user.pk] = names[user.get_username()] = reviewer_display_name(user)
    return names


def _answers(interview: Interview, secrets: list[str], questions: list) -> list[dict]:
    saved = {answer.key: answer for answer in interview.answers.all()}
    if interview.test.kind != Test.Kind.QUIZ:
        return [
            {
                "key": key,
                "label": label,
                "answer": _redact(saved[key].value, secrets),
                "saved_at": iso(saved[key].saved_at),
            }
            for key, label in REVIEW_LABELS.items()
            if key in saved
        ]
    rows = []
    for number, question in enumerate(questions, start=1):
        answer = saved.get(question.answer_key)
        value = answer.value if answer else None
        if question.kind != Question.Kind.SHORT:
            texts = {str(choice.pk): choice.text for choice in question.choices.all()}
            picked = value if isinstance(value, list) else [value] if value else []
            value = [texts[pk] for pk in picked if pk in texts]
        rows.append(
            {
                "key": question.answer_key,
                "label": f"Q{number}",
                "question": question.prompt,
                "kind": question.kind,
                "answer": _redact(value, secrets),
                "saved_at": iso(answer.saved_at) if answer else None,
            }
        )
    return rows

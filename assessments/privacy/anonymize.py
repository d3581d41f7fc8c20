"""What replaces a candidate's personal data, and scrubbing of free-form logs.

Anonymized values are recognisable (no marker table): the email is ``<id>@anonymized.invalid``.
"""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from assessments.integrity import signal_text_removed
from assessments.models import (
    Answer,
    Candidate,
    CandidateFeedback,
    EnvironmentValue,
    Interview,
    InterviewAttempt,
    InterviewEvent,
    InterviewToReview,
)

ANONYMIZED_DOMAIN = "anonymized.invalid"
REDACTED = "[removed]"
EMAIL = re.compile(r"[^\s@\"'<>,;:]+@[^\s@\"'<>,;:]+\.[A-Za-z]{2,}")


def is_anonymized(candidate: Candidate) -> bool:
    return candidate.email.endswith("@" + ANONYMIZED_DOMAIN)


def scrubbed(value, needles: list[str]):
    """``value`` (JSON) with every email address and every needle replaced."""
    if isinstance(value, dict):
        return {key: scrubbed(item, needles) for key, item in value.items()}
    if isinstance(value, list):
        return [scrubbed(item, needles) for item in value]
    if isinstance(value, str):
        for needle in needles:
            if needle:
                value = re.sub(re.escape(needle), REDACTED, value, flags=re.IGNORECASE)
        return EMAIL.sub(REDACTED, value)
    return value


def candidate_needles(candidate: Candidate) -> list[str]:
    """Strings of the candidate that may appear in free-form data (logged emails, ATS ids)."""
    values = [candidate.email, candidate.phone_number, candidate.ats_candidate_id]
    values += [candidate.ats_application_id, candidate.resume_url, candidate.profile_url]
    return [value for value in values if value and len(value) >= 4]


def candidate_personal_data_remove(*, candidate: Candidate, interview_ids: list[int]) -> dict:
    """Replace the candidate's details and remove what they wrote; scores, score lines,
    statuses and times stay for statistics. Call inside a transaction."""
    needles = candidate_needles(candidate)
    counts = {
        "answers": Answer.objects.filter(interview_id__in=interview_ids).delete()[0],
        "feedback": CandidateFeedback.objects.filter(interview_id__in=interview_ids).delete()[0],
        "environment_values": EnvironmentValue.objects.filter(
            interview_id__in=interview_ids
        ).delete()[0],
    }
    # Earlier attempts keep number, status and score; their answers go.
    attempts = InterviewAttempt.objects.filter(interview_id__in=interview_ids)
    counts["attempt_snapshots"] = attempts.exclude(snapshot={}).update(snapshot={})
    events = 0
    for event in InterviewEvent.objects.filter(interview_id__in=interview_ids).exclude(data={}):
        clean = scrubbed(signal_text_removed(event.kind, event.data), needles)
        if clean != event.data:
            InterviewEvent.objects.filter(pk=event.pk).update(data=clean)
            events += 1
    counts["events_scrubbed"] = events
    counts["admin_history_scrubbed"] = _admin_history_scrub(candidate, interview_ids)
    Interview.objects.filter(pk__in=interview_ids).update(ats_data={}, accommodation_note="")
    Candidate.objects.filter(pk=candidate.pk).update(
        first_name="Anonymized",
        last_name=f"candidate {candidate.pk}",
        preferred_name="",
        email=f"{candidate.pk}@{ANONYMIZED_DOMAIN}",
        phone_number="",
        resume_url="",
        profile_url="",
        ats_candidate_id="",
        ats_application_id="",
    )
    return counts


def _admin_history_scrub(candidate: Candidate, interview_ids: list[int]) -> int:
    """Scrub the admin history of the candidate and their interviews: a reason typed in an
    action ("ada@example.com wrote that…") is kept in change_message."""
    # Here, not at the top: integrations loads this module at start-up, also in a site without
    # the admin (the API benchmark's bare app).
    from django.contrib.admin.models import LogEntry

    names = [candidate.display_name, f"{candidate.first_name} {candidate.last_name}"]
    names += [candidate.first_name, candidate.last_name, candidate.preferred_name]
    needles = candidate_needles(candidate) + [name for name in names if len(name) >= 4]
    interview_types = ContentType.objects.get_for_models(
        Interview, InterviewToReview, for_concrete_models=False
    ).values()
    entries = LogEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(Candidate), object_id=str(candidate.pk))
        | Q(
            content_type__in=list(interview_types),
            object_id__in=[str(pk) for pk in interview_ids],
        )
    )
    scrubbed_count = 0
    for entry in entries.only("pk", "object_repr", "change_message"):
        repr_, message = scrubbed([entry.object_repr, entry.change_message], needles)
        if (repr_, message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_, change_message=message)
            scrubbed_count += 1
    return scrubbed_count


def interview_ids_of(candidate: Candidate) -> list[int]:
    return list(Interview.objects.filter(candidate=candidate).values_list("pk", flat=True))

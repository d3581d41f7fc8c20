"""Retention purges: recordings N days and personal data M days after an interview ended
(per organization, CandidatePolicy), and through ``retention_purging`` what integrations hold.

Each batch is its own transaction and marks what it did, so an interrupted run loses nothing
and the next run continues. Storage objects are deleted before the batch's transaction (no
network I/O inside one); deleting them again is harmless.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments.models import Candidate, Interview, Organization
from assessments.policies import candidate_policy_for
from assessments.recordings.models import Recording

from .anonymize import candidate_personal_data_remove, is_anonymized
from .models import ENDED_STATUSES, RetentionClock
from .signals import candidate_data_removing, retention_purging
from .storage import recording_objects_delete, recordings_of

logger = logging.getLogger(__name__)


def _batches():
    return range(settings.MARIOHR_PRIVACY_PURGE_MAX_BATCHES)


def recordings_purge(*, organization: Organization, now: datetime | None = None) -> dict:
    """Delete the organization's recordings (objects, chunks, segments, rows) of interviews
    that ended more than recording_retention_days ago."""
    now = now or timezone.now()
    days = candidate_policy_for(organization).recording_retention_days
    due = RetentionClock.objects.filter(
        organization=organization, recording_purged_at=None, ended_at__lt=now - timedelta(days=days)
    ).order_by("ended_at", "pk")
    counts = {"recordings": 0, "storage_objects": 0}
    for _ in _batches():
        clocks = list(due.values_list("pk", "interview_id")[: settings.MARIOHR_PRIVACY_PURGE_BATCH])
        if not clocks:
            break
        interview_ids = [interview_id for _, interview_id in clocks]
        recordings = recordings_of(interview_ids)
        for recording in recordings:
            counts["storage_objects"] += recording_objects_delete(recording)
        with transaction.atomic():
            # Chunks and segments go with the row (on_delete=CASCADE).
            Recording.objects.filter(pk__in=[recording.pk for recording in recordings]).delete()
            RetentionClock.objects.filter(pk__in=[pk for pk, _ in clocks]).update(
                recording_purged_at=now
            )
        counts["recordings"] += len(recordings)
    if counts["recordings"] or counts["storage_objects"]:
        logger.info("Retention: %s removed recordings %s", organization.slug, counts)
    return counts


def _still_in_use(candidate_id: int, cutoff: datetime) -> bool:
    """A live interview, or one that ended after the cutoff, keeps the candidate's details."""
    live = Interview.objects.filter(candidate_id=candidate_id).exclude(status__in=ENDED_STATUSES)
    recent = RetentionClock.objects.filter(
        interview__candidate_id=candidate_id, ended_at__gte=cutoff
    )
    return live.exists() or recent.exists()


def personal_data_anonymize(*, organization: Organization, now: datetime | None = None) -> dict:
    """Anonymize the organization's candidates whose interviews all ended more than
    personal_data_retention_days ago; an interview with a later one is only marked (the later
    one's clock comes due in its turn)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=candidate_policy_for(organization).personal_data_retention_days)
    due = RetentionClock.objects.filter(
        organization=organization, anonymized_at=None, ended_at__lt=cutoff
    ).order_by("ended_at", "pk")
    counts = {"candidates": 0, "interviews_checked": 0}
    for _ in _batches():
        clocks = list(
            due.values_list("pk", "interview__candidate_id")[: settings.MARIOHR_PRIVACY_PURGE_BATCH]
        )
        if not clocks:
            break
        with transaction.atomic():
            for candidate_id in {candidate_id for _, candidate_id in clocks}:
                candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
                if is_anonymized(candidate) or _still_in_use(candidate_id, cutoff):
                    continue
                _anonymize(candidate, counts)
            RetentionClock.objects.filter(pk__in=[pk for pk, _ in clocks]).update(anonymized_at=now)
        counts["interviews_checked"] += len(clocks)
    if counts["candidates"]:
        logger.info("Retention: %s anonymized %s", organization.slug, counts)
    return counts


def _anonymize(candidate: Candidate, counts: dict) -> None:
    # Locked, as erasure does: a similarity computation pairing with them waits, then finds
    # their answers gone.
    interview_ids = list(candidate.interview_set.select_for_update().values_list("pk", flat=True))
    email = candidate.email
    for name, value in candidate_personal_data_remove(
        candidate=candidate, interview_ids=interview_ids
    ).items():
        counts[name] = counts.get(name, 0) + value
    candidate_data_removing.send(
        sender=Candidate,
        candidate=candidate,
        interview_ids=interview_ids,
        mode="anonymize",
        email=email,
        counts=counts,
    )
    counts["candidates"] += 1


def retention_purge_all(*, now: datetime | None = None) -> dict:
    """The beat task's work: every organization's purges, then the other data's own."""
    now = now or timezone.now()
    totals: dict = {}
    for organization in Organization.objects.order_by("pk"):
        for counts in (
            recordings_purge(organization=organization, now=now),
            personal_data_anonymize(organization=organization, now=now),
        ):
            for name, value in counts.items():
                totals[name] = totals.get(name, 0) + value
    retention_purging.send(sender=Organization, now=now, counts=totals)
    logger.info("Retention purge: %s", totals)
    return totals

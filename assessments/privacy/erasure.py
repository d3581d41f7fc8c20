"""Erase one candidate on request: everything about them goes, a tombstone stays."""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from assessments.models import Candidate, Interview, Organization
from assessments.recordings.models import Recording

from .anonymize import candidate_personal_data_remove, interview_ids_of
from .models import ErasureTombstone, RetentionClock
from .signals import candidate_data_removing
from .storage import recording_objects_delete, recordings_of

logger = logging.getLogger(__name__)


class CandidateNotFound(Exception):
    pass


class CandidateHasLiveTests(Exception):
    """A test of the candidate can still be taken: its link would collect new personal data
    under the tombstone. Cancel it first (the ATS is told), then erase."""


LIVE = (Interview.Status.SENT, Interview.Status.IN_PROGRESS)


def _refuse_live(candidate: Candidate) -> None:
    live = list(
        Interview.objects.filter(candidate=candidate, status__in=LIVE).values_list(
            "partner_interview_id", flat=True
        )
    )
    if live:
        raise CandidateHasLiveTests(
            f"Candidate {candidate.pk} has {len(live)} test(s) that can still be taken "
            f"({', '.join(live)}): cancel them first, then erase."
        )


def candidate_find(*, organization: Organization, identifier: str) -> list[Candidate]:
    """Candidates of the organization by id or email (an email may name several)."""
    identifier = identifier.strip().replace("\x00", "")
    candidates = Candidate.objects.filter(organization=organization)
    if identifier.isascii() and identifier.isdigit():  # "²" is a digit int() refuses
        found = list(candidates.filter(pk=int(identifier)))
    else:
        found = list(candidates.filter(email__iexact=identifier))
    if not found:
        raise CandidateNotFound(f"No candidate {identifier!r} in {organization.slug}.")
    return found


def candidate_erase(*, candidate: Candidate, by_user_id: int | None, by_username: str):
    """Delete the candidate's recordings (objects and rows), answers, feedback and logged
    emails; redact what integrations hold (delivery payloads, request-log bodies); anonymize
    the candidate; keep interviews' statuses and scores; write the tombstone. Refused with
    ``CandidateHasLiveTests`` while one of their tests can still be taken.

    The objects are deleted first, outside the transaction; an interrupted erasure can be run
    again and finishes the job."""
    _refuse_live(candidate)  # before anything is deleted
    interview_ids = interview_ids_of(candidate)
    recordings = recordings_of(interview_ids)
    counts = {"storage_objects": sum(recording_objects_delete(r) for r in recordings)}
    with transaction.atomic():
        candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
        # Again under the interviews' locks: a reopen or start may have raced the check.
        list(Interview.objects.select_for_update().filter(candidate=candidate).values("pk"))
        _refuse_live(candidate)
        email = candidate.email
        counts["recordings"] = (
            Recording.objects.filter(pk__in=[recording.pk for recording in recordings])
            .delete()[1]
            .get("recordings.Recording", 0)
        )
        removed = candidate_personal_data_remove(candidate=candidate, interview_ids=interview_ids)
        counts.update(removed)
        candidate_data_removing.send(
            sender=Candidate,
            candidate=candidate,
            interview_ids=interview_ids,
            mode="erase",
            email=email,
            counts=counts,
        )
        # The admin history names the candidate (its object_repr is "Name <email>").
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Candidate), object_id=str(candidate.pk)
        ).update(object_repr=f"Candidate {candidate.pk} (erased)")
        now = timezone.now()
        RetentionClock.objects.filter(interview_id__in=interview_ids).update(
            recording_purged_at=now, anonymized_at=now
        )
        tombstone = ErasureTombstone.objects.create(
            candidate_id=candidate.pk,
            organization_id=candidate.organization_id,
            erased_at=now,
            erased_by_user_id=by_user_id,
            erased_by_username=by_username[:150],
            interview_count=len(interview_ids),
            removed=counts,
        )
    logger.info("Erased candidate %s of %s: %s", candidate.pk, candidate.organization_id, counts)
    return tombstone

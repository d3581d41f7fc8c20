"""What the hiring team changes on a test after it went out: extend the invitation, give an
in-progress candidate extra minutes, reopen an expired test, start a retake.

The admin actions and the management commands call these. Each one takes the row lock,
refuses a wrong state with ``ChangeRefused`` (a message a person can act on), and writes one
InterviewEvent saying who did it and why. Status changes go through
``services.interview_transition``; a deadline moved without one is announced through
``interview_deadline_changed`` (an ATS showing the deadline listens).
"""

import hashlib
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from mariohr.formats import iso
from mariohr.json_safety import storable

from .models import Candidate, Interview, InterviewAttempt, InterviewEvent, new_candidate_token
from .privacy.anonymize import is_anonymized
from .recordings.services import RecordingUnfinished, recording_archive, recording_archive_check
from .reports import attempt_snapshot_build
from .selectors import interview_is_overdue
from .services import interview_invitation_queue, interview_locked, interview_transition
from .signals import interview_deadline_changed

S = Interview.Status
REASON_MAX = 1000
DAYS_MAX = 90
MINUTES_MAX = 24 * 60
RETAKE_FROM = (S.SUBMITTED, S.COMPLETE, S.EXPIRED)


class ChangeRefused(Exception):
    """The change does not apply (wrong status, bad input); the message says why."""


def reason_clean(reason) -> str:
    text = (reason or "").strip() if isinstance(reason, str) else ""
    if not text:
        raise ChangeRefused("A reason is required: say why, for the interview's history.")
    if len(text) > REASON_MAX:
        raise ChangeRefused(f"The reason is too long (at most {REASON_MAX} characters).")
    if not storable(text):
        raise ChangeRefused("The reason must not contain NUL characters.")
    return text


def deadline_from(*, new_deadline: datetime | None = None, days=None, start=None) -> datetime:
    """The new deadline: a moment in the future, or ``days`` after ``start`` (default now)."""
    now = timezone.now()
    if (new_deadline is None) == (days is None):
        raise ChangeRefused("Give either a new deadline or a number of days, not both.")
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= DAYS_MAX:
            raise ChangeRefused(f"The number of days must be a whole number from 1 to {DAYS_MAX}.")
        return max(start or now, now) + timedelta(days=days)
    if timezone.is_naive(new_deadline):
        raise ChangeRefused("The new deadline needs a time zone.")
    if new_deadline <= now:
        raise ChangeRefused("The new deadline must be in the future.")
    if new_deadline > now + timedelta(days=DAYS_MAX):
        raise ChangeRefused(f"The new deadline must be within {DAYS_MAX} days.")
    return new_deadline


def token_digest(token: str) -> str:
    # A replaced link is remembered by its digest only: enough to say "replaced", no key.
    return hashlib.sha256(token.encode()).hexdigest()


def candidate_link_replaced(token: str) -> bool:
    """True for the link of an attempt a retake replaced (its page says so, not 404)."""
    return InterviewAttempt.objects.filter(snapshot__replaced_link=token_digest(token)).exists()


def _who(by) -> dict:
    # The id links to the user; the name keeps the history readable if the user goes.
    return {"by": by.pk, "by_username": by.get_username()} if by else {"by": None}


def _refuse_erased(interview: Interview) -> None:
    # Its data was erased (or anonymized): a new invitation would collect it all again. Read
    # after the lock (not joined to it): an erasure that just committed is seen.
    if is_anonymized(Candidate.objects.get(pk=interview.candidate_id)):
        raise ChangeRefused(
            f"Interview {interview.partner_interview_id}: the candidate's data was erased; "
            "the ATS can send a new test."
        )


def _refuse_status(interview: Interview, allowed: str) -> None:
    raise ChangeRefused(
        f"Interview {interview.partner_interview_id} is {interview.get_status_display().lower()}:"
        f" {allowed}."
    )


def _deadline_move(*, interview: Interview, kind: str, new_deadline: datetime, data: dict):
    """Move a live interview's deadline (caller holds the lock), log it and announce it."""
    now = timezone.now()
    previous = interview.expires_at
    interview.expires_at = new_deadline
    interview.save(update_fields=["expires_at"])
    InterviewEvent.objects.create(
        interview=interview,
        kind=kind,
        at=now,
        data={**data, "old_deadline": iso(previous), "new_deadline": iso(new_deadline)},
    )
    interview_deadline_changed.send(
        sender=Interview, interview=interview, previous_expires_at=previous, at=now
    )
    return interview


def interview_invitation_extend(
    *, interview: Interview, by, reason: str, new_deadline=None, days=None
) -> Interview:
    """A later deadline for a test the candidate has not started: ``new_deadline``, or
    ``days`` added to the current deadline (to now if it has passed)."""
    reason = reason_clean(reason)
    deadline_from(new_deadline=new_deadline, days=days)  # the input errors before the lock
    with transaction.atomic():
        locked = interview_locked(interview)
        if locked.status != S.SENT:
            _refuse_status(locked, "only a test not started yet can get a later deadline")
        deadline = deadline_from(new_deadline=new_deadline, days=days, start=locked.expires_at)
        if deadline <= locked.expires_at:
            raise ChangeRefused(
                f"The new deadline must be later than the current one ({iso(locked.expires_at)})."
            )
        return _deadline_move(
            interview=locked,
            kind="deadline_extended",
            new_deadline=deadline,
            data={**_who(by), "reason": reason},
        )


def interview_time_add(*, interview: Interview, by, reason: str, minutes) -> Interview:
    """Extra minutes for a candidate taking the test now; their page picks up the new time."""
    reason = reason_clean(reason)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MINUTES_MAX:
        raise ChangeRefused(f"The minutes must be a whole number from 1 to {MINUTES_MAX}.")
    with transaction.atomic():
        locked = interview_locked(interview)
        if locked.status != S.IN_PROGRESS:
            _refuse_status(locked, "extra minutes are only for a test in progress")
        if interview_is_overdue(locked):
            raise ChangeRefused(
                f"Interview {locked.partner_interview_id}: the time is already up; reopen "
                "or retake it instead."
            )
        return _deadline_move(
            interview=locked,
            kind="time_added",
            new_deadline=locked.expires_at + timedelta(minutes=minutes),
            data={**_who(by), "reason": reason, "minutes": minutes},
        )


def interview_reopen(
    *, interview: Interview, by, reason: str, new_deadline=None, days=None
) -> Interview:
    """An expired, never submitted test goes back to sent with a new deadline: the same
    interview and link; the candidate is invited again and starts with the full time."""
    reason = reason_clean(reason)
    deadline = deadline_from(new_deadline=new_deadline, days=days)
    with transaction.atomic():
        locked = interview_locked(interview)
        if locked.status != S.EXPIRED or locked.submitted_at:
            _refuse_status(locked, "only an expired test that was never submitted can reopen")
        _refuse_erased(locked)
        reopened = interview_transition(
            interview=locked,
            to_status=S.SENT,
            event_data={
                **_who(by),
                "reason": reason,
                "old_deadline": iso(locked.expires_at),
                "new_deadline": iso(deadline),
            },
            expires_at=deadline,
            started_at=None,
        )
        interview_invitation_queue(interview=reopened)
    return reopened


def interview_retake(
    *, interview: Interview, by, reason: str, new_deadline=None, days=None
) -> Interview:
    """A new attempt: the current one is archived for the report, the answers and score are
    cleared, the candidate gets a new link (the old one stops working) and a new invitation."""
    reason = reason_clean(reason)
    deadline = deadline_from(new_deadline=new_deadline, days=days)
    now = timezone.now()
    with transaction.atomic():
        locked = interview_locked(interview)
        if locked.status not in RETAKE_FROM:
            _refuse_status(locked, "only a submitted, scored or expired test can be retaken")
        _refuse_erased(locked)
        try:
            # Before anything is written: a recording still in the works cannot move yet.
            recording_archive_check(interview=locked)
        except RecordingUnfinished as unfinished:
            raise ChangeRefused(str(unfinished)) from unfinished
        snapshot = {
            **attempt_snapshot_build(locked),
            "replaced_link": token_digest(locked.candidate_token),
        }
        attempt = InterviewAttempt.objects.create(
            interview=locked,
            number=locked.attempt_number,
            status=locked.status,
            started_at=locked.started_at,
            submitted_at=locked.submitted_at,
            score=locked.score,
            max_score=locked.max_score,
            snapshot=snapshot,
            archived_at=now,
            archived_by=by,
            reason=reason,
        )
        # The recording goes with the attempt that made it; the retake records afresh.
        recording_archive(interview=locked, attempt=attempt)
        locked.answers.all().delete()
        locked.score_lines.all().delete()
        # Fresh generated passwords for the new attempt, made again at its Start.
        locked.environment_values.all().delete()
        retaken = interview_transition(
            interview=locked,
            to_status=S.SENT,
            at=now,
            event_kind="retake_started",
            event_data={
                **_who(by),
                "reason": reason,
                "attempt": locked.attempt_number + 1,
                "new_deadline": iso(deadline),
            },
            candidate_token=new_candidate_token(),
            attempt_number=locked.attempt_number + 1,
            expires_at=deadline,
            started_at=None,
            submitted_at=None,
            completed_at=None,
            scored_at=None,
            score=None,
            scored_by=None,
            metadata={},
            max_score=locked.test.max_score,
        )
        interview_invitation_queue(interview=retaken)
    return retaken

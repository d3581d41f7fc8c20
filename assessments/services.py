"""Business rules for organizations, candidates and the interview lifecycle.

Views, admin actions, Celery tasks and management commands all call these functions. Only
the lifecycle functions here change an interview's status; each change is announced once,
inside the same transaction, through ``interview_status_changed`` so integrations can write
their outbox rows atomically with it.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mariohr.enqueue import task_enqueue_or_log, task_run_here

from .models import Candidate, EnvironmentValue, Interview, InterviewEvent, Organization, Test
from .signals import interview_status_changed
from .sources import source_is_known

logger = logging.getLogger(__name__)
INVITATION_TASK = "assessments.tasks.send_invitation_email"

S = Interview.Status

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.SENT: {S.IN_PROGRESS, S.EXPIRED, S.CANCELLED},
    S.IN_PROGRESS: {S.SUBMITTED, S.COMPLETE, S.EXPIRED, S.CANCELLED},
    # Back to sent: only the hiring team's reopen or retake (interview_changes) asks for it.
    S.SUBMITTED: {S.COMPLETE, S.CANCELLED, S.SENT},
    # A score may be corrected after completion; the ATS is told again.
    S.COMPLETE: {S.COMPLETE, S.SENT},
    S.EXPIRED: {S.SENT},
    S.CANCELLED: set(),
}


class IllegalTransition(Exception):
    def __init__(self, interview: Interview, to_status: str):
        self.from_status = interview.status
        self.to_status = to_status
        super().__init__(
            f"Interview {interview.partner_interview_id} cannot go from "
            f"'{interview.status}' to '{to_status}'."
        )


@dataclass(frozen=True)
class CandidateData:
    first_name: str
    last_name: str
    email: str
    preferred_name: str = ""
    phone_number: str = ""
    resume_url: str = ""
    profile_url: str = ""
    ats_candidate_id: str = ""
    ats_application_id: str = ""


def organization_create(*, name: str, slug: str) -> Organization:
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug)
        organization_enable_default_tests(organization=organization)
    return organization


def organization_enable_default_tests(*, organization: Organization) -> None:
    organization.enabled_tests.add(*Test.objects.filter(is_active=True, enabled_by_default=True))


def test_max_score_sync(*, test: Test) -> None:
    """A test's maximum is the sum of its rubric or question points, when it has any."""
    rows = test.questions if test.kind == Test.Kind.QUIZ else test.criteria
    field = "points" if test.kind == Test.Kind.QUIZ else "max_points"
    total = sum(rows.values_list(field, flat=True), Decimal(0))
    if total and total != test.max_score:
        Test.objects.filter(pk=test.pk).update(max_score=total)
        test.max_score = total


def tests_enabled_for(organization: Organization):
    return organization.enabled_tests.filter(is_active=True).order_by("name")


def test_enabled_get(*, organization: Organization, partner_test_id: str) -> Test | None:
    return tests_enabled_for(organization).filter(partner_test_id=partner_test_id).first()


class CallbackUrlTaken(Exception):
    """Another integration's interview of this organization already has the callback URL."""

    def __init__(self):
        super().__init__("Another integration's assessment already uses it.")


def interview_send(
    *,
    organization: Organization,
    test: Test,
    candidate: CandidateData,
    source: str,
    callback_url: str = "",
    sent_by: str = "",
    ats_data: dict | None = None,
) -> tuple[Interview, bool]:
    """Create the candidate and interview and queue the invitation.

    Returns ``(interview, created)``. A repeated send for the same organization and callback
    URL returns the first interview and creates nothing; raises CallbackUrlTaken when that
    interview came from another source.
    """
    if not source_is_known(source):
        raise ValueError(f"Unknown interview source {source!r}: no ATS plug-in registered it.")
    if callback_url:
        existing = _interview_for_callback(organization, callback_url, source)
        if existing:
            return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            candidate_row = Candidate.objects.create(organization=organization, **vars(candidate))
            interview = Interview.objects.create(
                organization=organization,
                test=test,
                candidate=candidate_row,
                source=source,
                callback_url=callback_url,
                sent_by=sent_by,
                ats_data=ats_data or {},
                status=S.SENT,
                sent_at=now,
                status_changed_at=now,
                expires_at=now + timedelta(days=settings.MARIOHR_INVITATION_DAYS),
                max_score=test.max_score,
            )
            transaction.on_commit(lambda: _queue_invitation(interview.pk))
    except IntegrityError:
        # Two identical sends raced; the other one won and its interview is the answer.
        existing = callback_url and _interview_for_callback(organization, callback_url, source)
        if existing:
            return existing, False
        raise
    return interview, True


def _interview_for_callback(
    organization: Organization, callback_url: str, source: str
) -> Interview | None:
    existing = Interview.objects.filter(
        organization=organization, callback_url=callback_url
    ).first()
    if existing and existing.source != source:
        # Handing it back would give one ATS another's interview (and its results).
        raise CallbackUrlTaken
    return existing


def _queue_invitation(interview_pk: int) -> None:
    # By name: the tasks module imports the lifecycle services (expiry, the email's link).
    if not task_enqueue_or_log(INVITATION_TASK, interview_pk):
        # The interview committed and the ATS is waiting for our answer: with the broker
        # down, the email goes out from here rather than not at all.
        _send_invitation_now(interview_pk)


def _send_invitation_now(interview_pk: int) -> None:
    try:
        task_run_here(INVITATION_TASK, interview_pk)
    except Exception:
        # The interview stands; the admin's "Resend invitation email" is the way out.
        logger.exception("Invitation email for interview %s not sent", interview_pk)


def interview_invitation_queue(*, interview: Interview) -> None:
    """Email the invitation once the current transaction commits."""
    transaction.on_commit(lambda: _queue_invitation(interview.pk))


def interview_invitation_resend(*, interview: Interview) -> bool:
    """Email the candidate link again; only while the test can still be taken."""
    if not interview.is_live:
        return False
    with transaction.atomic():
        InterviewEvent.objects.create(
            interview=interview, kind="invitation_resent", at=timezone.now(), data={}
        )
        transaction.on_commit(lambda: _queue_invitation(interview.pk))
    return True


def candidate_link(interview: Interview) -> str:
    return f"{settings.MARIOHR_BASE_URL}/t/{interview.candidate_token}"


# The transcript names status changes by what happened, not by the status reached.
EVENT_FOR_STATUS = {
    # Only a reopen or a retake goes back to sent; a retake names its event itself.
    S.SENT: "reopened",
    S.IN_PROGRESS: "started",
    S.SUBMITTED: "submitted",
    S.COMPLETE: "scored",
    S.EXPIRED: "expired",
    S.CANCELLED: "cancelled",
}


def interview_transition(
    *,
    interview: Interview,
    to_status: str,
    at=None,
    event_data: dict | None = None,
    event_kind: str = "",
    **fields,
) -> Interview:
    """Move an interview to ``to_status`` under a row lock, log it and announce the change."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if to_status not in ALLOWED_TRANSITIONS[locked.status]:
            raise IllegalTransition(locked, to_status)
        previous_status = locked.status
        locked.status = to_status
        locked.status_changed_at = at
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        kind = event_kind or EVENT_FOR_STATUS[to_status]
        if previous_status == S.COMPLETE and to_status == S.COMPLETE:
            kind = "score_corrected"
        elif previous_status == S.IN_PROGRESS and to_status == S.COMPLETE:
            # A quiz is submitted and scored in one step; the transcript shows both.
            InterviewEvent.objects.create(interview=locked, kind="submitted", at=at, data={})
        InterviewEvent.objects.create(interview=locked, kind=kind, at=at, data=event_data or {})
        interview_status_changed.send(
            sender=Interview, interview=locked, previous_status=previous_status, at=at
        )
    return locked


def interview_locked(interview: Interview) -> Interview:
    """The interview's row, locked until the transaction ends, with its test read alongside
    but not locked: changes to other interviews of the same test go on meanwhile."""
    return (
        Interview.objects.select_for_update(of=("self",))
        .select_related("test")
        .get(pk=interview.pk)
    )


def interview_start(*, interview: Interview) -> Interview:
    now = timezone.now()
    with transaction.atomic():
        # The time limit read under the lock: extra time set while the candidate's page
        # loaded counts (the caller's copy may be older).
        locked = interview_locked(interview)
        deadline = now + timedelta(minutes=locked.time_limit_minutes)
        started = interview_transition(
            interview=locked,
            to_status=S.IN_PROGRESS,
            at=now,
            started_at=now,
            expires_at=deadline,
        )
        interview_environment_materialize(interview=started)
    return started


def interview_environment_materialize(*, interview: Interview) -> None:
    """Fix this interview's environment values (generated passwords, ``{interview}``)."""
    short_id = interview.partner_interview_id[:8].lower()
    existing = set(interview.environment_values.values_list("field_id", flat=True))
    for field in interview.test.environment_fields.all():
        if field.pk in existing:
            continue
        value = EnvironmentValue(
            interview=interview, field=field, label=field.label, is_secret=field.is_secret
        )
        if field.generate:
            value.value = secrets.token_urlsafe(12)
        else:
            value.value = field.value.replace("{interview}", short_id)
        value.save()


def interview_submit(*, interview: Interview, automatic: bool = False) -> Interview:
    now = timezone.now()
    return interview_transition(
        interview=interview,
        to_status=S.SUBMITTED,
        at=now,
        event_data={"automatic": True} if automatic else None,
        submitted_at=now,
        completed_at=now,
    )


def interview_score(
    *,
    interview: Interview,
    score: Decimal,
    max_score: Decimal | None = None,
    metadata: dict | None = None,
    scored_by=None,
    event_data: dict | None = None,
) -> Interview:
    """Record the final score and complete the interview (also used to correct a score).

    From ``in_progress`` (a quiz) this is also the submission.
    """
    now = timezone.now()
    max_score = interview.max_score if max_score is None else max_score
    if score < 0 or (max_score is not None and score > max_score):
        raise ValueError(f"Score {score} is outside 0..{max_score}.")
    fields = {
        "score": score,
        "max_score": max_score,
        "scored_at": now,
        "completed_at": interview.completed_at or now,
        "submitted_at": interview.submitted_at or now,
        "scored_by": scored_by,
    }
    if metadata is not None:
        fields["metadata"] = metadata
    return interview_transition(
        interview=interview, to_status=S.COMPLETE, at=now, event_data=event_data, **fields
    )


def interview_expire(*, interview: Interview, reason: str = "") -> Interview:
    return interview_transition(
        interview=interview,
        to_status=S.EXPIRED,
        event_data={"reason": reason} if reason else None,
    )


def interview_cancel(*, interview: Interview) -> Interview:
    """Cancel; cancelling an already cancelled interview is a no-op (idempotent)."""
    if interview.status == S.CANCELLED:
        return interview
    now = timezone.now()
    return interview_transition(
        interview=interview, to_status=S.CANCELLED, at=now, cancelled_at=now
    )

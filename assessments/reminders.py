"""Emails to a candidate who has not started: reminders before the invitation's deadline and
the notice once it has expired, sent by a beat sweep in bounded batches.

Each email is claimed before it is sent by inserting its ``CandidateNotice`` row (unique on
interview, kind, slot and deadline), so two sweepers never send it twice. The deadline is
part of the key: an extended or reopened invitation gets fresh slots. A claim whose send
failed keeps ``sent_at`` empty and is taken over by a later sweep (a conditional update, so
by one sweeper only) once it is older than ``MARIOHR_REMINDER_RETRY_MINUTES``; a takeover
moves ``created_at`` forward, so it is the time of the latest claim. A sent notice is never
sent again; only a crash between the mail server accepting it and ``sent_at`` being written
can repeat one (the other choice, never retrying, would lose every email a send failed).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from .emails import expiry_notice_email_send, reminder_email_send
from .hiring_models import CandidateNotice, CandidatePolicy, default_reminder_days
from .models import Interview, InterviewEvent

logger = logging.getLogger(__name__)

S = Interview.Status
Kind = CandidateNotice.Kind
MAX_REMINDERS = 2
MAX_REMINDER_DAYS = 30
EVENT_FOR_KIND = {Kind.REMINDER: "reminder_sent", Kind.EXPIRY: "expiry_notice_sent"}


@dataclass(frozen=True)
class NoticesSent:
    reminders: int
    expiry_notices: int


def reminder_days_clean(value) -> list[int]:
    """The policy's reminder days: at most two distinct whole days, 1 to 30, largest first."""
    if not isinstance(value, list) or not all(
        isinstance(day, int) and not isinstance(day, bool) for day in value
    ):
        raise ValidationError("Enter whole numbers of days, for example 3 or 7, 1.")
    if len(value) > MAX_REMINDERS:
        raise ValidationError(f"At most {MAX_REMINDERS} reminders.")
    if any(not 1 <= day <= MAX_REMINDER_DAYS for day in value):
        raise ValidationError(f"Each reminder is 1 to {MAX_REMINDER_DAYS} days before expiry.")
    if len(set(value)) != len(value):
        raise ValidationError("The two reminders must be on different days.")
    return sorted(value, reverse=True)


def _policy_days(policy_days, enabled: bool) -> list[int]:
    if not enabled:
        return []
    try:
        return reminder_days_clean(policy_days)
    except ValidationError:
        # A row written past the admin's validation: remind by the default, not never.
        return default_reminder_days()


def _organizations_by_slot() -> tuple[dict[int, list[int]], list[int]]:
    """{days before: ids of organizations whose policy reminds then}, and the default days
    (for organizations without a policy). One row per organization: read whole."""
    by_slot: dict[int, list[int]] = {day: [] for day in default_reminder_days()}
    policies = CandidatePolicy.objects.values_list(
        "organization_id", "reminders_enabled", "reminder_days_before"
    )
    for organization_id, enabled, days in policies:
        for day in _policy_days(days, enabled):
            by_slot.setdefault(day, []).append(organization_id)
    return by_slot, default_reminder_days()


def _not_claimed(kind: str, slot: int, now: datetime) -> Exists:
    """No notice of this slot for the interview's current deadline that was sent or is being
    sent (a claim younger than the retry delay)."""
    retry_after = now - timedelta(minutes=settings.MARIOHR_REMINDER_RETRY_MINUTES)
    return ~Exists(
        CandidateNotice.objects.filter(
            Q(sent_at__isnull=False) | Q(created_at__gte=retry_after),
            interview=OuterRef("pk"),
            kind=kind,
            slot=slot,
            deadline=OuterRef("expires_at"),
        )
    )


def reminders_due(
    *, day: int, organization_ids: list[int], default: bool, now: datetime
) -> QuerySet[Interview]:
    """Sent interviews whose ``day``-days-before reminder is due and unclaimed, soonest first.

    Due: the deadline is between ``day`` days (minus the window) and ``day`` days away, and
    the invitation went out (or was reopened) before that, so no reminder follows right on
    the heels of the invitation. The (status, expires_at) index reads only that band."""
    opens = now + timedelta(days=day)
    of_organization = Q(organization_id__in=organization_ids)
    if default:
        of_organization |= Q(organization__candidate_policy__isnull=True)
    return (
        Interview.objects.filter(
            of_organization,
            status=S.SENT,
            expires_at__gt=opens - timedelta(hours=settings.MARIOHR_REMINDER_WINDOW_HOURS),
            expires_at__lte=opens,
            status_changed_at__lte=F("expires_at") - timedelta(days=day),
        )
        .filter(_not_claimed(Kind.REMINDER, day, now))
        .order_by("expires_at")
    )


def expiry_notices_due(*, now: datetime) -> QuerySet[Interview]:
    """Invitations that expired unstarted in the last MARIOHR_EXPIRY_NOTICE_HOURS and whose
    candidate was not told yet; through the (status, expires_at) index."""
    since = now - timedelta(hours=settings.MARIOHR_EXPIRY_NOTICE_HOURS)
    return (
        Interview.objects.filter(
            status=S.EXPIRED, expires_at__gt=since, expires_at__lte=now, started_at=None
        )
        .filter(_not_claimed(Kind.EXPIRY, 0, now))
        .order_by("expires_at")
    )


def notice_claim(
    *, interview: Interview, kind: str, slot: int, now: datetime
) -> CandidateNotice | None:
    """The notice row for this email if this caller may send it, else None."""
    key = {"interview": interview, "kind": kind, "slot": slot, "deadline": interview.expires_at}
    try:
        with transaction.atomic():
            return CandidateNotice.objects.create(**key)
    except IntegrityError:
        pass
    # Claimed before: take it over only if its send failed long enough ago; the conditional
    # update lets exactly one sweeper have it.
    retry_after = now - timedelta(minutes=settings.MARIOHR_REMINDER_RETRY_MINUTES)
    stale = CandidateNotice.objects.filter(**key, sent_at=None, created_at__lt=retry_after)
    return CandidateNotice.objects.get(**key) if stale.update(created_at=now) else None


def _still_due(notice: CandidateNotice) -> bool:
    status = S.SENT if notice.kind == Kind.REMINDER else S.EXPIRED
    # The candidate may have started (or the deadline moved) since the sweep's query.
    return Interview.objects.filter(
        pk=notice.interview_id, status=status, expires_at=notice.deadline
    ).exists()


def notice_send(*, interview: Interview, kind: str, slot: int, send: Callable[[], None]) -> bool:
    """Claim, send and record one notice; False if another sweeper has it or sending failed."""
    notice = notice_claim(interview=interview, kind=kind, slot=slot, now=timezone.now())
    if notice is None:
        return False
    if not _still_due(notice):
        notice.delete()
        return False
    try:
        send()
    except Exception:
        # SMTP refusals, network errors, a malformed address: logged, and the claim stays
        # unsent for a later sweep to retry; one bad row must not stop the batch.
        logger.exception(
            "Candidate %s email for interview %s failed", kind, interview.partner_interview_id
        )
        return False
    sent_at = timezone.now()
    with transaction.atomic():
        CandidateNotice.objects.filter(pk=notice.pk).update(sent_at=sent_at)
        InterviewEvent.objects.create(
            interview=interview,
            kind=EVENT_FOR_KIND[kind],
            at=sent_at,
            data={"slot": slot, "deadline": notice.deadline.isoformat()},
        )
    return True


def expiry_contact(interview: Interview) -> tuple[str, str]:
    """(whom, email) the candidate contacts about an expired link: the policy's contact, else
    the person who sent the test, else the organization."""
    policy = CandidatePolicy.objects.filter(organization_id=interview.organization_id).first()
    if policy and (policy.contact_name or policy.contact_email):
        return policy.contact_name or interview.organization.name, policy.contact_email
    try:
        # sent_by is whatever the ATS sent: often the recruiter's address, not always.
        validate_email(interview.sent_by)
    except ValidationError:
        return interview.organization.name, ""
    return interview.organization.name, interview.sent_by


def _with_email(interviews: QuerySet[Interview]) -> QuerySet[Interview]:
    return interviews.exclude(candidate__email="").select_related(
        "candidate", "test", "organization"
    )


def candidate_notices_send(*, now: datetime | None = None) -> NoticesSent:
    """One sweep: at most MARIOHR_REMINDER_BATCH reminders and as many expiry notices."""
    now = now or timezone.now()
    batch = settings.MARIOHR_REMINDER_BATCH
    reminders = 0
    by_slot, default_days = _organizations_by_slot()
    for day, organization_ids in sorted(by_slot.items()):
        if reminders >= batch:
            break
        due = reminders_due(
            day=day, organization_ids=organization_ids, default=day in default_days, now=now
        )
        for interview in _with_email(due)[: batch - reminders]:
            reminders += notice_send(
                interview=interview,
                kind=Kind.REMINDER,
                slot=day,
                send=lambda i=interview, d=day: reminder_email_send(interview=i, days_before=d),
            )
    expiry_notices = 0
    for interview in _with_email(expiry_notices_due(now=now))[:batch]:
        whom, email = expiry_contact(interview)
        expiry_notices += notice_send(
            interview=interview,
            kind=Kind.EXPIRY,
            slot=0,
            send=lambda i=interview, w=whom, e=email: expiry_notice_email_send(
                interview=i, contact_name=w, contact_email=e
            ),
        )
    return NoticesSent(reminders=reminders, expiry_notices=expiry_notices)

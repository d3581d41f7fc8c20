"""Accommodations: extra time per interview, and the candidate's request for one.

Extra time is set by the account manager (admin) or the hiring team (``interview_accommodate``)
before or during the test; ATS contracts have no field for it. The note is internal: it never
reaches an event, the report or an ATS. A request from the intro page is emailed to the
organization's contact and leaves an event without the candidate's words.
"""

import logging
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mariohr.formats import iso
from mariohr.json_safety import storable

from .models import Interview, InterviewEvent
from .policies import candidate_policy_for
from .selectors import interview_is_overdue
from .services import interview_locked
from .signals import interview_deadline_changed

logger = logging.getLogger(__name__)
S = Interview.Status
MAX_PERCENT = 400
MAX_MINUTES = 10080
NOTE_MAX = 2000
REQUEST_MESSAGE_MAX = 1000
# Requests per interview per REQUEST_WINDOW: enough to correct a message, too few to spam.
REQUEST_ID_MAX = 40
REQUESTS_PER_WINDOW = 3
REQUEST_WINDOW = timedelta(hours=24)
# Control characters other than newline and tab: they have no place in an email body.
CONTROL = re.compile(r"[^\S\n\t ]|[\x00-\x08\x0b-\x1f\x7f]")


class FieldInvalid(Exception):
    """A value a person typed is wrong; ``field`` names it, the message says why."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class AccommodationRefused(Exception):
    """The interview is in a state where this cannot be done; the message says why."""


class RequestUnavailable(AccommodationRefused):
    """The organization has no contact to send accommodation requests to."""


class RequestLimitReached(AccommodationRefused):
    pass


class RequestNotSent(Exception):
    """The email could not be sent; the candidate may try again later."""


def _whole_number(field: str, value, maximum: int) -> int:
    if isinstance(value, str):
        value = value.strip() or "0"
        if not value.isascii() or not value.isdigit():
            raise FieldInvalid(field, f"must be a whole number from 0 to {maximum}")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise FieldInvalid(field, f"must be a whole number from 0 to {maximum}")
    return value


def text_clean(field: str, value, maximum: int) -> str:
    if not isinstance(value, str):
        raise FieldInvalid(field, "must be text")
    if not storable(value):
        raise FieldInvalid(field, "must not contain NUL characters or unpaired surrogates")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = unicodedata.normalize("NFC", CONTROL.sub(" ", value)).strip()
    if len(value) > maximum:
        raise FieldInvalid(field, f"must be at most {maximum} characters")
    return value


def accommodation_set(
    *, interview: Interview, percent, minutes, note: str = "", by=None
) -> Interview:
    """Set the interview's extra time and note, before (sent) or during (in progress) the test.

    During the test the deadline moves by the difference in time limit, never to before now.
    """
    percent = _whole_number("extra_time_percent", percent, MAX_PERCENT)
    minutes = _whole_number("extra_time_minutes", minutes, MAX_MINUTES)
    note = text_clean("accommodation_note", note, NOTE_MAX)
    now = timezone.now()
    with transaction.atomic():
        locked = interview_locked(interview)
        if locked.status not in (S.SENT, S.IN_PROGRESS) or interview_is_overdue(locked, now):
            raise AccommodationRefused(
                f"The test is {locked.get_status_display().lower()}: extra time can be set "
                "only before the candidate starts or while the test is in progress."
            )
        current = (locked.extra_time_percent, locked.extra_time_minutes, locked.accommodation_note)
        if current == (percent, minutes, note):
            return locked
        old_limit = locked.time_limit_minutes
        locked.extra_time_percent, locked.extra_time_minutes = percent, minutes
        locked.accommodation_note = note
        data = {
            "by": getattr(by, "pk", None),
            "extra_time_percent": percent,
            "extra_time_minutes": minutes,
            "time_limit_minutes": locked.time_limit_minutes,
        }
        changed = ["extra_time_percent", "extra_time_minutes", "accommodation_note"]
        if locked.status == S.IN_PROGRESS and locked.time_limit_minutes != old_limit:
            moved = timedelta(minutes=locked.time_limit_minutes - old_limit)
            previous = locked.expires_at
            data["previous_expires_at"] = iso(previous)
            locked.expires_at = max(locked.expires_at + moved, now)
            data["expires_at"] = iso(locked.expires_at)
            changed.append("expires_at")
        locked.save(update_fields=changed)
        InterviewEvent.objects.create(interview=locked, kind="accommodation_set", at=now, data=data)
        if "expires_at" in changed:
            # The take page's clock poll shows it; an ATS that shows the deadline is told.
            interview_deadline_changed.send(
                sender=Interview, interview=locked, previous_expires_at=previous, at=now
            )
    return locked


def accommodation_intro(interview: Interview) -> dict:
    """What the intro page shows about the time limit and the accommodation request."""
    policy = candidate_policy_for(interview.organization)
    return {
        "time_limit": interview.time_limit_minutes,
        "extra_minutes": interview.time_limit_minutes - interview.test.time_limit_minutes,
        "accommodation_contact": bool(policy.contact_email),
        "accommodation_message_max": REQUEST_MESSAGE_MAX,
        # A reload after sending (or a visit days later) says so, instead of a blank form.
        "accommodation_requested_at": _last_request_sent_at(interview)
        if policy.contact_email
        else None,
    }


def _last_request_sent_at(interview: Interview):
    sent = interview.events.filter(kind="accommodation_requested", data__sent=True)
    return sent.order_by("-at").values_list("at", flat=True).first()


def request_id_clean(value) -> str:
    # The page's id for one request, the same on every try of it; anything else is no id.
    if isinstance(value, str) and 0 < len(value) <= REQUEST_ID_MAX and value.isascii():
        return value if value.isalnum() else ""
    return ""


def accommodation_request_send(*, interview: Interview, message, request_id="") -> None:
    """Email the candidate's request to the organization's contact.

    The event is written first (it is the rate limit's count and the evidence), then the
    email goes out after the commit; the event never holds the message. ``request_id`` (the
    page's, the same on every try) makes a resend after a lost answer no second email.
    """
    request_id = request_id_clean(request_id)
    message = text_clean("message", message, REQUEST_MESSAGE_MAX)
    if not message:
        raise FieldInvalid("message", "must say what you need")
    contact = candidate_policy_for(interview.organization).contact_email
    if not contact:
        raise RequestUnavailable("This organization takes accommodation requests by the recruiter.")
    now = timezone.now()
    with transaction.atomic():
        locked = Interview.objects.select_for_update().get(pk=interview.pk)
        if not locked.is_live or interview_is_overdue(locked, now):
            raise AccommodationRefused(f"The test is {locked.get_status_display().lower()}.")
        requested = locked.events.filter(kind="accommodation_requested")
        earlier = requested.filter(data__request_id=request_id).first() if request_id else None
        if earlier is not None and "error" not in earlier.data:
            return  # sent, or being sent by the try the lost answer belonged to
        tried = {"request_id": request_id} if request_id else {}
        if earlier is not None:
            # Its email failed: this try sends it again, as the same request (no longer
            # marked failed, so a concurrent try leaves it to this one).
            event = earlier
            InterviewEvent.objects.filter(pk=event.pk).update(data={**tried, "sent": False})
        elif requested.filter(at__gt=now - REQUEST_WINDOW).count() >= REQUESTS_PER_WINDOW:
            raise RequestLimitReached(
                "You have sent the most requests allowed for today; the contact will "
                "answer the ones already sent."
            )
        else:
            event = InterviewEvent.objects.create(
                interview=locked,
                kind="accommodation_requested",
                at=now,
                data={**tried, "sent": False},
            )
    try:
        _request_email_send(interview=interview, contact=contact, message=message)
    except OSError as error:
        # SMTP errors are OSErrors; the event keeps the failure, the candidate is told.
        logger.warning("accommodation request for %s not sent: %s", interview.pk, error)
        InterviewEvent.objects.filter(pk=event.pk).update(
            data={**tried, "sent": False, "error": "email"}
        )
        raise RequestNotSent("The request could not be sent; try again later.") from error
    InterviewEvent.objects.filter(pk=event.pk).update(data={**tried, "sent": True})


def _request_email_send(*, interview: Interview, contact: str, message: str) -> None:
    candidate = interview.candidate
    context = {
        "interview": interview,
        "candidate": candidate,
        "test": interview.test,
        "organization": interview.organization,
        "message": message,
        "time_limit": interview.time_limit_minutes,
        "admin_url": settings.MARIOHR_BASE_URL
        + reverse("admin:assessments_interview_change", args=[interview.pk]),
    }
    # Names come from the ATS: a newline in a subject header is refused by Django, so fold it.
    subject = " ".join(
        f"Accommodation request: {candidate.display_name}, {interview.test.name}".split()
    )
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/accommodation_request.txt", context),
        to=[contact],
        reply_to=[candidate.email] if candidate.email else None,
    )
    email.attach_alternative(
        render_to_string("emails/accommodation_request.html", context), "text/html"
    )
    email.send()

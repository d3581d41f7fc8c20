from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string

from .models import Interview
from .services import candidate_link


def invitation_email_send(*, interview: Interview) -> None:
    context = {
        "interview": interview,
        "candidate": interview.candidate,
        "test": interview.test,
        "organization": interview.organization,
        "link": candidate_link(interview),
    }
    send_mail(
        subject=f"{interview.organization.name} invites you to take {interview.test.name}",
        message=render_to_string("emails/invitation.txt", context),
        html_message=render_to_string("emails/invitation.html", context),
        from_email=None,
        recipient_list=[interview.candidate.email],
    )


def _candidate_email_send(*, interview: Interview, subject: str, template: str, **extra) -> None:
    """A transactional email to the candidate: plain text and HTML, no unsubscribe (it is
    about their own application); replies go to ``reply_to`` when one is given."""
    reply_to = [extra["contact_email"]] if extra.get("contact_email") else None
    context = {
        "interview": interview,
        "candidate": interview.candidate,
        "test": interview.test,
        "organization": interview.organization,
        "link": candidate_link(interview),
        **extra,
    }
    message = EmailMultiAlternatives(
        # Names from the ATS may hold line breaks, which a header must not.
        subject=" ".join(subject.split()),
        body=render_to_string(f"emails/{template}.txt", context),
        to=[interview.candidate.email],
        reply_to=reply_to,
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


def reminder_email_send(*, interview: Interview, days_before: int) -> None:
    _candidate_email_send(
        interview=interview,
        subject=f"Reminder: {interview.test.name} for {interview.organization.name}",
        template="reminder",
        days_before=days_before,
    )


def expiry_notice_email_send(
    *, interview: Interview, contact_name: str, contact_email: str
) -> None:
    _candidate_email_send(
        interview=interview,
        subject=f"Your link to {interview.test.name} has expired",
        template="expiry_notice",
        contact_name=contact_name,
        contact_email=contact_email,
    )

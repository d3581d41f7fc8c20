from django.core.mail import send_mail
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

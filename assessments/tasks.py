from celery import shared_task

from .candidate_services import interviews_expire_overdue
from .emails import invitation_email_send
from .models import Interview
from .reminders import candidate_notices_send


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def send_invitation_email(interview_pk: int) -> None:
    interview = Interview.objects.select_related("candidate", "test", "organization").get(
        pk=interview_pk
    )
    if interview.is_live:
        invitation_email_send(interview=interview)


@shared_task
def expire_interviews() -> int:
    return interviews_expire_overdue()


@shared_task
def send_candidate_notices() -> dict:
    sent = candidate_notices_send()
    return {"reminders": sent.reminders, "expiry_notices": sent.expiry_notices}

"""Where interview lifecycle changes become outbox rows, inside the lifecycle transaction."""

from django.dispatch import receiver

from assessments.models import Interview
from assessments.signals import interview_status_changed

from ..values import iso_ms
from .results import results_patch_create


@receiver(interview_status_changed, dispatch_uid="delivery.results_patch_on_complete")
def results_patch_on_complete(sender, interview, previous_status, at, **kwargs):
    # Score corrections (complete → complete) tell the ATS again.
    if interview.status != Interview.Status.COMPLETE or not interview.callback_url:
        return
    results_patch_create(
        interview=interview,
        event={
            "trigger": "status_changed",
            "status": interview.status,
            "previous_status": previous_status,
            "at": iso_ms(at),
            "at_ms": int(at.timestamp() * 1000),
        },
    )

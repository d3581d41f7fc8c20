"""Where interview lifecycle changes become outbox rows, inside the lifecycle transaction."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from assessments.models import Interview
from assessments.recordings.signals import recording_processed
from assessments.signals import interview_status_changed

from ..values import iso_ms
from .recording_ready import delivery_recording_ready
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


@receiver(recording_processed, dispatch_uid="delivery.recording_ready")
def recording_ready_on_processed(sender, recording, **kwargs):
    # After the PROCESSED state is committed, never on a state a rollback could undo.
    transaction.on_commit(partial(delivery_recording_ready, recording_pk=recording.pk))

"""Where recording news becomes outbox rows; each ATS connects its own lifecycle receivers."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from assessments.recordings.signals import recording_processed

from .recording_ready import delivery_recording_ready


@receiver(recording_processed, dispatch_uid="delivery.recording_ready")
def recording_ready_on_processed(sender, recording, **kwargs):
    # After the PROCESSED state is committed, never on a state a rollback could undo.
    transaction.on_commit(partial(delivery_recording_ready, recording_pk=recording.pk))

import logging

from django.dispatch import Signal

log = logging.getLogger(__name__)

# Sent once a recording's PROCESSED state is committed, with ``recording``. Integrations
# send the recording link to an ATS that already had the results without it.
recording_processed = Signal()


def recording_processed_send(*, recording) -> None:
    # A failing receiver must not undo or retry the processing that already succeeded.
    for receiver, result in recording_processed.send_robust(
        sender=type(recording), recording=recording
    ):
        if isinstance(result, Exception):
            log.error(
                "recording_processed receiver %r failed for recording %s",
                receiver,
                recording.pk,
                exc_info=result,
            )

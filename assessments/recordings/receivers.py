from django.dispatch import receiver

from assessments.signals import interview_status_changed

from .services import FINISHED, recording_capture_close


@receiver(interview_status_changed, dispatch_uid="recordings.capture_close")
def close_capture_on_finish(sender, interview, previous_status, at, **kwargs):
    if interview.status in FINISHED:
        recording_capture_close(interview=interview)

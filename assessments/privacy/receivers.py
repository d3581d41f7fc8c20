from django.dispatch import receiver

from assessments.signals import interview_status_changed

from .clocks import retention_clock_update


@receiver(interview_status_changed, dispatch_uid="privacy.retention_clock")
def on_status_change(sender, interview, previous_status, at, **kwargs):
    retention_clock_update(interview=interview, previous_status=previous_status, at=at)

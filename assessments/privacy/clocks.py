"""Each interview's retention clock starts when it ends (submitted, expired or cancelled)."""

from datetime import datetime

from .models import ENDED_STATUSES, RetentionClock


def retention_clock_update(*, interview, previous_status: str, at: datetime) -> None:
    """Start the clock when a live interview ends; stop it when one comes back to life (a
    reopened or retaken test). Scoring a submitted test does not move it."""
    if interview.status not in ENDED_STATUSES:
        RetentionClock.objects.filter(interview=interview).delete()
        return
    if (
        previous_status in ENDED_STATUSES
        and RetentionClock.objects.filter(interview=interview).exists()
    ):
        return
    RetentionClock.objects.update_or_create(
        interview=interview,
        defaults={
            "organization_id": interview.organization_id,
            "ended_at": at,
            "recording_purged_at": None,
            "anonymized_at": None,
        },
    )

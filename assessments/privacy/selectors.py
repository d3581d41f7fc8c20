from datetime import datetime, timedelta

from assessments.models import Interview
from assessments.policies import candidate_policy_for

from .models import RetentionClock


def recording_retention(interview: Interview) -> tuple[datetime | None, int]:
    """When the retention purge deletes the interview's recording (None while the interview
    is live: the clock starts when it ends) and the organization's days."""
    days = candidate_policy_for(interview.organization).recording_retention_days
    clock = RetentionClock.objects.filter(interview=interview).only("ended_at").first()
    return (clock.ended_at + timedelta(days=days) if clock else None), days

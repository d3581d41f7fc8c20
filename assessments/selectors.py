"""Reads about an interview that the candidate pages and the recordings app both make.

Kept apart from the candidate services so the recordings app can use them without importing
the services that themselves read recordings (consent): one-way imports, no cycle.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Interview

S = Interview.Status
# Tokens we issue are token_urlsafe(24); anything else cannot exist, so it is not looked up.
CANDIDATE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def interview_by_token(token: str) -> Interview | None:
    if not CANDIDATE_TOKEN.fullmatch(token):
        return None
    return (
        Interview.objects.select_related("test", "candidate", "organization")
        .filter(candidate_token=token)
        .first()
    )


def grace() -> timedelta:
    # Covers the network delay of the page's own auto-submit at the time limit.
    return timedelta(seconds=getattr(settings, "MARIOHR_SUBMIT_GRACE_SECONDS", 60))


def interview_is_overdue(interview: Interview, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if interview.status == S.SENT:
        return now >= interview.expires_at
    if interview.status == S.IN_PROGRESS:
        return now >= interview.expires_at + grace()
    return False

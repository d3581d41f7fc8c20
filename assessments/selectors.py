"""Reads about an interview that the candidate pages and the recordings app both make.

Kept apart from the candidate services so the recordings app can use them without importing
the services that themselves read recordings (consent): one-way imports, no cycle.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Candidate, Interview

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


# Prefix search starts at this many characters and finds at most the newest
# SEARCH_PREFIX_LIMIT interviews: a short, common prefix would otherwise sort a large share
# of a million rows on every page of the list.
SEARCH_PREFIX_MIN = 3
SEARCH_PREFIX_LIMIT = 1000


def interview_search(queryset, term: str):
    """The interviews of ``queryset`` an operator's search ``term`` finds, through indexes
    only (the admin at a million interviews): the partner interview id or the callback URL
    exactly; a candidate's e-mail or last name, or the sender's e-mail, by case-insensitive
    prefix (indexes of migration 0009 on PostgreSQL)."""
    term = term.strip().replace("\x00", "")
    if not term:
        return queryset
    found = [Interview.objects.filter(partner_interview_id=term).values("pk").order_by()]
    if "://" in term:
        by_url = Interview.objects.exclude(callback_url="").filter(callback_url=term)
        found.append(by_url.values("pk").order_by())
    if len(term) >= SEARCH_PREFIX_MIN:
        candidates = Candidate.objects.filter(
            Q(email__istartswith=term) | Q(last_name__istartswith=term)
        ).values("pk")
        by_sender = Interview.objects.exclude(sent_by="").filter(sent_by__istartswith=term)
        for matches in (Interview.objects.filter(candidate__in=candidates), by_sender):
            newest = matches.order_by("-sent_at", "-pk").values("pk")[:SEARCH_PREFIX_LIMIT]
            # Wrapped: SQLite allows no LIMIT in a part of a UNION.
            found.append(Interview.objects.filter(pk__in=newest).values("pk").order_by())
    return queryset.filter(pk__in=found[0].union(*found[1:], all=True))

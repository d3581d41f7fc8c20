"""The "recording_ready" follow-up: the recording link for an ATS that already has the score.

Results never wait for the recording. When processing finishes after the results went out,
each integration sends its results message again, now carrying the link. Decided after the
PROCESSED state is committed: an interview not yet at a results status then gets the link
in its own results message, which is built (at attempt time) after that commit.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Interview
from assessments.recordings.models import Recording

from .models import Delivery
from .services import DeliveryNotPossible

log = logging.getLogger(__name__)

EVENT = "recording_ready"


@dataclass(frozen=True)
class FollowUp:
    handler: Callable[..., Delivery]
    statuses: frozenset[str]


RECORDING_READY_BY_SOURCE: dict[str, FollowUp] = {}


def recording_ready_register(source: str, handler: Callable[..., Delivery], *, statuses) -> None:
    """``handler(*, interview, event, dedup_key) -> Delivery`` sends the follow-up for an
    interview of ``source`` whose status is one of ``statuses`` (its results went out)."""
    RECORDING_READY_BY_SOURCE[source] = FollowUp(handler, frozenset(statuses))


def recording_ready_key(recording_pk: int) -> str:
    return f"{EVENT}:{recording_pk}"


def delivery_recording_ready(*, recording_pk: int) -> Delivery | None:
    """Queue the follow-up once per recording; None when none is due or it already exists."""
    # An archived attempt's recording (no interview) is no longer what the ATS shows.
    recording = (
        Recording.objects.filter(
            pk=recording_pk, status=Recording.Status.PROCESSED, interview__isnull=False
        )
        .exclude(file_name="")
        .first()
    )
    if recording is None:
        return None
    interview = Interview.objects.select_related("organization").get(pk=recording.interview_id)
    follow_up = RECORDING_READY_BY_SOURCE.get(interview.source)
    if follow_up is None or interview.status not in follow_up.statuses:
        return None
    key = recording_ready_key(recording.pk)
    if Delivery.objects.filter(dedup_key=key).exists():
        return None
    event = {
        "trigger": EVENT,
        "status": interview.status,
        "at_ms": int(timezone.now().timestamp() * 1000),
    }
    try:
        with transaction.atomic():
            return follow_up.handler(interview=interview, event=event, dedup_key=key)
    except IntegrityError:
        return None  # a concurrent run created it first
    except DeliveryNotPossible as reason:
        log.info("No recording follow-up for interview %s: %s", interview.pk, reason)
        return None

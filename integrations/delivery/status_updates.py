"""What an ATS plug-in needs to tell its ATS about every status change of an interview.

The pieces the plug-ins repeated: a status receiver filtered by the interview's source, an
ordering key so one interview's updates go in the order they happened, the superseded check
for a revived update a newer one has overtaken, a replay that sends the current state, and a
delivery to the callback URL the ATS gave. Each plug-in keeps its own kind, payload and
wire quirks.
"""

from collections.abc import Callable, Collection

from django.utils import timezone

from assessments.models import Interview
from assessments.signals import interview_status_changed

from ..values import iso_ms
from . import kinds
from .models import Delivery
from .recording_ready import recording_ready_register
from .services import DeliveryNotPossible, delivery_create, submit_results_register

# create(interview=..., event=..., ...) -> Delivery: an ATS's delivery factory.
Create = Callable[..., Delivery]

# Every change after the invitation, for an ATS that shows the candidate's progress. "Sent"
# is reached again only by the hiring team's reopen or retake (the first one is the send).
EVERY_CHANGE = frozenset(
    {
        Interview.Status.SENT,
        Interview.Status.IN_PROGRESS,
        Interview.Status.SUBMITTED,
        Interview.Status.COMPLETE,
        Interview.Status.EXPIRED,
        Interview.Status.CANCELLED,
    }
)


def epoch_ms(moment=None) -> int:
    return int((moment or timezone.now()).timestamp() * 1000)


def ordering_key(source: str, interview: Interview) -> str:
    """One key per interview and ATS: the engine sends its updates one after the other."""
    return f"{source}:{interview.pk}"


def status_changed_event(interview: Interview, previous_status: str, at) -> dict:
    return {
        "trigger": "status_changed",
        "status": interview.status,
        "previous_status": previous_status,
        "at": iso_ms(at),
        "at_ms": epoch_ms(at),
    }


def status_receiver_connect(
    *,
    sources: Collection[str],
    statuses: Collection[str],
    create: Create,
    dispatch_uid: str,
    needs_callback_url: bool = False,
) -> None:
    """Queue ``create`` for every change of an interview from ``sources`` into one of
    ``statuses`` (a score correction, complete → complete, counts: it sends the new score)."""

    def on_status_change(sender, interview, previous_status, at, **kwargs):
        if interview.source not in sources or interview.status not in statuses:
            return
        if needs_callback_url and not interview.callback_url:
            return
        create(interview=interview, event=status_changed_event(interview, previous_status, at))

    # weak=False: the closure is referenced only by the signal.
    interview_status_changed.connect(on_status_change, weak=False, dispatch_uid=dispatch_uid)


def status_updates_register(
    *,
    sources: Collection[str],
    create: Create,
    statuses: Collection[str],
    recording_statuses: Collection[str],
    dispatch_uid: str,
    needs_callback_url: bool = False,
) -> None:
    """One ATS's stream of updates for the interviews from ``sources``: queued by ``create``
    at every change into ``statuses``, by Submit results, and once the recording of an
    interview in ``recording_statuses`` is processed (it carries the link)."""
    status_receiver_connect(
        sources=sources,
        statuses=statuses,
        create=create,
        dispatch_uid=dispatch_uid,
        needs_callback_url=needs_callback_url,
    )
    for source in sources:
        submit_results_register(source, create)
        recording_ready_register(source, create, statuses=recording_statuses)


def callback_delivery_create(
    *,
    interview: Interview,
    kind: str,
    event: dict,
    missing: str,
    ordering: str = "",
    replay_of: Delivery | None = None,
    dedup_key: str | None = None,
) -> Delivery:
    """A delivery to the callback URL the ATS gave with the interview; ``missing`` names that
    URL in the error when there is none."""
    if not interview.callback_url:
        raise DeliveryNotPossible(f"Interview {interview.partner_interview_id} has no {missing}.")
    return delivery_create(
        organization=interview.organization,
        interview=interview,
        kind=kind,
        target_url=interview.callback_url,
        event=event,
        ordering_key=ordering,
        replay_of=replay_of,
        dedup_key=dedup_key,
    )


def current_state_replay(create: Create) -> Callable[[Delivery], Delivery]:
    """A replay that sends the interview's state as it is now: an old status sent again as
    news would roll the ATS's view back (and some ATSs refuse an older timestamp)."""

    def replay(delivery: Delivery) -> Delivery:
        interview = Interview.objects.get(pk=delivery.interview_id)
        return create(interview=interview, event={"status": interview.status}, replay_of=delivery)

    return replay


def superseded_check(delivery: Delivery, reason: str) -> None:
    """Raise Superseded when a later update of the same kind and interview was delivered.

    Only a delivery that already ran out (and was revived by Retry now) can be overtaken:
    until then its ordering key holds every later update back."""
    if not delivery.attempt_count:
        return
    newer_delivered = Delivery.objects.filter(
        kind=delivery.kind,
        interview_id=delivery.interview_id,
        pk__gt=delivery.pk,
        status=Delivery.Status.SUCCEEDED,
    ).exists()
    if newer_delivered:
        raise kinds.Superseded(f"{reason} (use Replay to send the current state).")

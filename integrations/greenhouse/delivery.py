"""The results PATCH: MarioHR → the interview's callback URL (Greenhouse-compatible).

It goes as soon as the interview is scored, with recording_url null while the recording is
still being processed; a "recording_ready" PATCH follows once it is (recording_ready.py).
Interviews created in the admin with a callback URL get the same PATCH."""

from django.dispatch import receiver

from assessments.models import Interview
from assessments.signals import interview_status_changed

from ..credentials import outbound_credentials_get
from ..delivery import kinds
from ..delivery.models import Delivery
from ..delivery.recording_ready import recording_ready_register
from ..delivery.services import (
    DeliveryNotPossible,
    delivery_create,
    delivery_settings_row,
    submit_results_register,
)
from ..values import iso_ms
from .payloads import results_patch_payload

KIND = "results_patch"
SOURCE = "greenhouse"
PATCHED_SOURCES = (SOURCE, "admin")


def results_patch_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Built from the database at every attempt (the engine loads the interview with the
    # delivery): a retry or replay carries current data.
    return kinds.OutboundRequest(
        method="PATCH",
        url=delivery.target_url,
        json_body=results_patch_payload(delivery.interview),
        basic_auth=outbound_credentials_get(
            organization=delivery.organization, settings_row=delivery_settings_row(delivery)
        ),
    )


def results_patch_create(
    *, interview: Interview, event: dict, dedup_key: str | None = None
) -> Delivery:
    if not interview.callback_url:
        raise DeliveryNotPossible(
            f"Interview {interview.partner_interview_id} has no callback URL to PATCH."
        )
    return delivery_create(
        organization=interview.organization,
        interview=interview,
        kind=KIND,
        target_url=interview.callback_url,
        event=event,
        dedup_key=dedup_key,
    )


@receiver(interview_status_changed, dispatch_uid="greenhouse.results_patch_on_complete")
def results_patch_on_complete(sender, interview, previous_status, at, **kwargs):
    # Score corrections (complete → complete) tell the ATS again.
    if (
        interview.source not in PATCHED_SOURCES
        or interview.status != Interview.Status.COMPLETE
        or not interview.callback_url
    ):
        return
    results_patch_create(
        interview=interview,
        event={
            "trigger": "status_changed",
            "status": interview.status,
            "previous_status": previous_status,
            "at": iso_ms(at),
            "at_ms": int(at.timestamp() * 1000),
        },
    )


def register() -> None:
    kinds.register(KIND, results_patch_build)
    for source in PATCHED_SOURCES:
        submit_results_register(source, results_patch_create)
        # Only a complete interview was PATCHed with its results, maybe without the link.
        recording_ready_register(source, results_patch_create, statuses={Interview.Status.COMPLETE})

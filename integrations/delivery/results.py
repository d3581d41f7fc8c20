"""The results PATCH: MarioHR → the interview's callback URL (Greenhouse-compatible)."""

from assessments.models import Interview
from assessments.recordings.services import recording_processing_pending

from ..credentials import outbound_credentials_get
from ..greenhouse.payloads import results_patch_payload
from . import kinds
from .models import Delivery
from .services import DeliveryNotPossible, delivery_create, submit_results_register

KIND = "results_patch"
# How often a results callback looks again at a recording still being processed.
RECORDING_POLL_SECONDS = 5


def results_wait_for_recording(interview: Interview) -> None:
    """Hold a results callback while the session recording is processed, so it carries the
    recording_url; bounded by MARIOHR_RECORDING_WAIT_SECONDS, then the results go anyway."""
    if recording_processing_pending(interview):
        raise kinds.Postpone(
            "Waiting for the session recording to be processed "
            "(at most MARIOHR_RECORDING_WAIT_SECONDS after the interview finished).",
            seconds=RECORDING_POLL_SECONDS,
        )


def results_patch_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Built from the database at every attempt: a retry or replay carries current data.
    interview = Interview.objects.select_related("candidate", "test", "organization").get(
        pk=delivery.interview_id
    )
    results_wait_for_recording(interview)
    return kinds.OutboundRequest(
        method="PATCH",
        url=delivery.target_url,
        json_body=results_patch_payload(interview),
        basic_auth=outbound_credentials_get(organization=delivery.organization),
    )


def results_patch_create(*, interview: Interview, event: dict) -> Delivery:
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
    )


def register() -> None:
    kinds.register(KIND, results_patch_build)
    for source in (Interview.Source.GREENHOUSE, Interview.Source.ADMIN):
        submit_results_register(source, results_patch_create)

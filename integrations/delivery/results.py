"""The results PATCH: MarioHR → the interview's callback URL (Greenhouse-compatible)."""

from assessments.models import Interview

from ..credentials import outbound_credentials_get
from ..greenhouse.payloads import results_patch_payload
from . import kinds
from .models import Delivery
from .services import DeliveryNotPossible, delivery_create, submit_results_register

KIND = "results_patch"


def results_patch_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Built from the database at every attempt: a retry or replay carries current data.
    interview = Interview.objects.select_related("candidate", "test", "organization").get(
        pk=delivery.interview_id
    )
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

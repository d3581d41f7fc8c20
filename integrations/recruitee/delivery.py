"""The report PATCH to Recruitee, sent through the delivery engine at every status change
Recruitee has a status for (completed, canceled), for Submit results and recording_ready."""

from django.conf import settings

from assessments.models import Interview
from integrations.delivery import kinds
from integrations.delivery.models import Delivery
from integrations.delivery.services import (
    DeliveryNotPossible,
    delivery_create,
)
from integrations.delivery.status_updates import ordering_key, status_updates_register
from integrations.ssrf import UnsafeURL

from .models import CODENAME
from .payloads import report_patch_payload
from .services import SOURCE, api_base_check, partner_for, partner_of, report_id_of

KIND = "recruitee_report"
SECRET_HEADER = "RT-PARTNER-SECRET"
NOTIFIED_STATUSES = {
    # Back to sent after a reopen or retake (a "canceled" expiry is undone).
    Interview.Status.SENT,
    Interview.Status.COMPLETE,
    Interview.Status.EXPIRED,
    Interview.Status.CANCELLED,
}


class RecruiteeNotConfigured(kinds.CredentialsMissing):
    pass


def recruitee_report_create(
    *, interview: Interview, event: dict, dedup_key: str | None = None
) -> Delivery:
    report_id = report_id_of(interview)
    if not report_id:
        raise DeliveryNotPossible(
            f"Interview {interview.partner_interview_id} has no Recruitee report id."
        )
    partner = partner_for(organization=interview.organization)
    return delivery_create(
        organization=interview.organization,
        interview=interview,
        kind=KIND,
        target_url=partner.report_url(report_id),
        event=event,
        # A later status must not overtake an earlier one (canceled after completed, say).
        ordering_key=ordering_key(SOURCE, interview),
        dedup_key=dedup_key,
    )


def recruitee_report_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Joined by the engine's load query (registered with loads=): no query of its own.
    partner = partner_of(getattr(delivery.organization, "recruitee_settings", None))
    try:
        # The allow-list again: a row changed behind the admin's back must not redirect
        # the partner secret to another host.
        api_base_check(partner.api_base, organization=delivery.organization)
    except UnsafeURL as problem:
        raise RecruiteeNotConfigured(f"The Recruitee API base URL {problem}") from None
    if not partner.secret or not partner.codename:
        raise RecruiteeNotConfigured(
            "No Recruitee partner secret or codename is configured: set "
            "MARIOHR_RECRUITEE_PARTNER_SECRET and MARIOHR_RECRUITEE_CODENAME for the "
            f"deployment, or {delivery.organization}'s Recruitee settings in the admin."
        )
    if not CODENAME.regex.fullmatch(partner.codename):
        raise RecruiteeNotConfigured(f"The Recruitee codename {partner.codename!r} is invalid.")
    return kinds.OutboundRequest(
        method="PATCH",
        # Built from the current settings: fixing a wrong codename or host and retrying works.
        url=partner.report_url(report_id_of(delivery.interview)),
        json_body=report_patch_payload(delivery.interview, delivery.event),
        headers={
            SECRET_HEADER: partner.secret,
            "Accept": "application/json",
            "User-Agent": f"MarioHR/1.0 (+{settings.MARIOHR_BASE_URL})",
        },
    )


def recruitee_report_interpret(delivery, status_code, headers, body: bytes):
    """404: Recruitee has no such report (deleted, or another environment's): final."""
    if status_code == 404:
        return kinds.Outcome.stop(
            "Recruitee answered 404: no such report (deleted, or the report belongs to the "
            "other environment: check the API base URL and codename, then Replay)."
        )
    return None  # the default rules: 2xx delivered, 401/403 credentials, 5xx retried, …


def register() -> None:
    kinds.register(
        KIND,
        recruitee_report_build,
        recruitee_report_interpret,
        loads=("organization__recruitee_settings",),
    )
    # The PATCH links the report page, which plays the recording once it is processed; the
    # follow-up sends the completed report again so Recruitee shows the final state.
    status_updates_register(
        sources={SOURCE},
        create=recruitee_report_create,
        statuses=NOTIFIED_STATUSES,
        recording_statuses={Interview.Status.COMPLETE},
        dispatch_uid="recruitee.report_on_status_change",
    )

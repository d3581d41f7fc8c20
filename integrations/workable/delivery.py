"""Workable's results PUT, sent through the delivery engine at every status Workable has.

One ordered stream per assessment: pending when it is created, then completed (with the
results), expired or rejected. Every message is a PUT of the assessment's state to the
callback URL Workable gave, with the organization's Workable token as Bearer.
"""

import time

from assessments.models import Interview

from ..delivery import kinds
from ..delivery.interpret import header_get
from ..delivery.models import Delivery
from ..delivery.status_updates import (
    callback_delivery_create,
    current_state_replay,
    epoch_ms,
    ordering_key,
    status_updates_register,
    superseded_check,
)
from .credentials import (
    CallbackNotAllowed,
    callback_domain_of,
    callback_url_check,
    workable_results_token,
)
from .models import SOURCE
from .payloads import PENDING, WORKABLE_STATUS, results_put_payload, workable_status_of

KIND = "workable_results"


class WorkableNotConfigured(kinds.CredentialsMissing):
    pass


class CallbackNotCovered(kinds.CredentialsMissing):
    """The callback URL is outside the organization's Workable domain (changed since the
    assessment was created): fixing the domain and retrying sends it."""


def workable_results_create(
    *,
    interview: Interview,
    event: dict,
    replay_of: Delivery | None = None,
    dedup_key: str | None = None,
) -> Delivery:
    """Queue one PUT of the state in ``event``; a status Workable lacks (started, submitted:
    still not done) goes as pending."""
    status = event.get("status", interview.status)
    stored = {
        "status": status,
        "workable_status": workable_status_of(status) or PENDING,
        "at_ms": event.get("at_ms") or epoch_ms(),
    }
    if event.get("trigger"):
        stored["trigger"] = event["trigger"]
    return callback_delivery_create(
        interview=interview,
        kind=KIND,
        event=stored,
        missing="Workable callback URL",
        # Workable must see an assessment's states in the order they happened.
        ordering=ordering_key(SOURCE, interview),
        replay_of=replay_of,
        dedup_key=dedup_key,
    )


def workable_results_build(delivery: Delivery) -> kinds.OutboundRequest:
    superseded_check(delivery, "a newer Workable status was delivered")
    # Joined by the engine's load query (registered with loads=).
    settings_row = getattr(delivery.organization, "workable_settings", None)
    token = workable_results_token(settings_row)
    if not token:
        raise WorkableNotConfigured(
            f"No Workable token is configured for {delivery.organization}: set it in the "
            "admin (Workable settings)."
        )
    try:
        # Checked again at every attempt: the token goes wherever this URL points.
        callback_url_check(
            delivery.target_url,
            domain=callback_domain_of(settings_row),
            organization=delivery.organization,
        )
    except CallbackNotAllowed as exc:
        raise CallbackNotCovered(
            f"Not sent with the Workable token: the callback URL {exc} Fix the callback "
            "domain in the Workable settings, then retry."
        ) from None
    body = results_put_payload(
        delivery.interview,  # loaded by the engine with what the payload reads
        status=delivery.event.get("workable_status", PENDING),
        pass_percent=settings_row.pass_percent,
        excel_percent=settings_row.excel_percent,
    )
    return kinds.OutboundRequest(
        method="PUT",
        url=delivery.target_url,
        json_body=body,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )


def workable_results_interpret(delivery, status_code, headers, body: bytes):
    """Workable's 429 says when its window resets (X-Rate-Limit-Reset, epoch seconds)
    rather than Retry-After; everything else follows the default rules."""
    if status_code != 429 or header_get(headers, "Retry-After"):
        return None
    reset = header_get(headers, "X-Rate-Limit-Reset")
    try:
        wait = max(0.0, float(reset) - time.time())
    except (TypeError, ValueError):
        return None
    return kinds.Outcome.retry("HTTP 429 (Workable rate limit).", retry_after=wait)


def workable_pending_create(interview: Interview) -> Delivery:
    """The first message, as soon as the assessment exists: Workable shows it pending."""
    return workable_results_create(
        interview=interview, event={"status": interview.status, "trigger": "created"}
    )


def register() -> None:
    kinds.register(
        KIND,
        workable_results_build,
        workable_results_interpret,
        replay=current_state_replay(workable_results_create),
        loads=("organization__workable_settings",),
    )
    # Started and submitted have no Workable status; a score correction (complete →
    # complete) sends the corrected results. Only completed results carry the recording;
    # the follow-up sends them again with it.
    status_updates_register(
        sources={SOURCE},
        create=workable_results_create,
        statuses=set(WORKABLE_STATUS),
        recording_statuses={Interview.Status.COMPLETE},
        dispatch_uid="workable.results_on_status_change",
    )

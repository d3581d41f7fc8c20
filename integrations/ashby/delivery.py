"""Ashby's assessment.update, sent through the delivery engine at every status change."""

import json

from django.conf import settings

from assessments.models import Interview
from assessments.signals import interview_deadline_changed

from ..crypto import decrypt
from ..delivery import kinds
from ..delivery.models import Delivery
from ..delivery.services import delivery_create
from ..delivery.status_updates import (
    EVERY_CHANGE,
    current_state_replay,
    epoch_ms,
    ordering_key,
    status_updates_register,
    superseded_check,
)
from ..sandbox.targets import sandbox_receiver_delivery_check
from .models import ASHBY_API, AshbySettings
from .payloads import assessment_update_payload

SOURCE = "ashby"
KIND = "ashby_update"
# The updates that carry results (score, recording URL). They never wait for the recording:
# once it is processed, a "recording_ready" update with the link follows.
RESULT_STATUSES = {Interview.Status.COMPLETE, Interview.Status.EXPIRED}


class AshbyNotConfigured(kinds.CredentialsMissing):
    pass


def ashby_update_create(
    *,
    interview: Interview,
    event: dict,
    replay_of: Delivery | None = None,
    dedup_key: str | None = None,
) -> Delivery:
    """Queue one assessment.update; its timestamp is strictly after every earlier one."""
    moment_ms = event.get("at_ms") or epoch_ms()
    earlier = [epoch_ms(interview.sent_at)] + [
        previous.event.get("timestamp", 0)
        for previous in Delivery.objects.filter(kind=KIND, interview=interview).only("event")
    ]
    timestamp = max(int(moment_ms), max(earlier) + 1)
    settings_row = AshbySettings.objects.filter(organization=interview.organization_id).first()
    base_url = settings_row.base_url if settings_row else ASHBY_API
    stored = {"status": event.get("status", interview.status), "timestamp": timestamp}
    if event.get("trigger"):
        stored["trigger"] = event["trigger"]
    return delivery_create(
        organization=interview.organization,
        interview=interview,
        kind=KIND,
        target_url=base_url.rstrip("/") + "/assessment.update",
        event=stored,
        # Ashby must see an assessment's updates in the order they happened.
        ordering_key=ordering_key(SOURCE, interview),
        replay_of=replay_of,
        dedup_key=dedup_key,
    )


def ashby_update_build(delivery: Delivery) -> kinds.OutboundRequest:
    interview = delivery.interview  # loaded by the engine with what the payload reads
    superseded_check(
        delivery, "a newer assessment.update was delivered; Ashby accepts only newer timestamps"
    )
    # Joined by the engine's load query (registered with loads=).
    settings_row = getattr(delivery.organization, "ashby_settings", None)
    api_key = decrypt(settings_row.api_key_encrypted) if settings_row else ""
    if not api_key:
        raise AshbyNotConfigured(
            f"No Ashby API key is configured for {delivery.organization}: set it in the admin "
            "(Ashby settings) or with `manage.py set_ashby_credentials`."
        )
    # The current base URL, so fixing a misconfigured one and replaying works.
    url = settings_row.base_url.rstrip("/") + "/assessment.update"
    # The key goes wherever the URL points: the receiver only for its own sandbox.
    sandbox_receiver_delivery_check(url, organization=delivery.organization)
    return kinds.OutboundRequest(
        method="POST",
        url=url,
        json_body=assessment_update_payload(interview, delivery.event),
        basic_auth=(api_key, ""),
        headers={
            "Accept": "application/json; version=1",
            # Ashby's edge rejects an empty User-Agent with a 403.
            "User-Agent": f"MarioHR/1.0 (+{settings.MARIOHR_BASE_URL})",
        },
    )


def ashby_update_interpret(delivery, status_code, headers, body: bytes):
    """Ashby answers most errors with HTTP 200 and ``success: false``."""
    if status_code != 200:
        return None  # the default rules: 401/403 credentials problem, 429 Retry-After, …
    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return kinds.Outcome.retry("Ashby answered 200 with a body that is not JSON.")
    if not isinstance(answer, dict):
        return kinds.Outcome.retry("Ashby answered 200 with JSON that is not an object.")
    if answer.get("success") is True:
        return kinds.Outcome.success()
    info = answer.get("errorInfo")
    errors = answer.get("errors")
    if isinstance(info, dict):
        reason = f"{info.get('code')}: {info.get('message')} (requestId {info.get('requestId')})"
    elif isinstance(errors, list):
        reason = ", ".join(map(str, errors)) or "no reason given"
    else:
        reason = str(errors or "no reason given")
    credentials = any(word in reason for word in ("api_key", "permission", "unauthorized"))
    return kinds.Outcome.retry(
        f"Ashby answered success: false: {reason}", credentials_problem=credentials
    )


def update_on_deadline_change(sender, interview, previous_expires_at, at, **kwargs):
    # An extended invitation: Ashby sees the new expiry (metadata) with the same status.
    if interview.source == SOURCE and interview.status == Interview.Status.SENT:
        ashby_update_create(
            interview=interview,
            event={"status": interview.status, "at_ms": epoch_ms(at), "trigger": "deadline"},
        )


def register() -> None:
    interview_deadline_changed.connect(
        update_on_deadline_change, dispatch_uid="ashby.update_on_deadline_change"
    )
    kinds.register(
        KIND,
        ashby_update_build,
        ashby_update_interpret,
        # Replay sends the current state with a fresh timestamp: Ashby refuses an older one.
        replay=current_state_replay(ashby_update_create),
        loads=("organization__ashby_settings",),
    )
    status_updates_register(
        sources={SOURCE},
        create=ashby_update_create,
        statuses=EVERY_CHANGE,
        recording_statuses=RESULT_STATUSES,
        dispatch_uid="ashby.update_on_status_change",
    )

"""The partner-result PUT to Teamtailor, through the delivery engine at every status change."""

from assessments.models import Interview

from ..delivery import kinds
from ..delivery.models import Delivery
from ..delivery.status_updates import (
    EVERY_CHANGE,
    callback_delivery_create,
    ordering_key,
    status_updates_register,
)
from .payloads import result_put_body

SOURCE = "teamtailor"
KIND = "teamtailor_result"
API_VERSION = "20180828"
# The updates after which a processed recording is worth another PUT (its attachment).
RECORDING_STATUSES = {Interview.Status.COMPLETE, Interview.Status.EXPIRED}


class TeamtailorNotConfigured(kinds.CredentialsMissing):
    pass


def teamtailor_result_create(
    *, interview: Interview, event: dict, dedup_key: str | None = None
) -> Delivery:
    return callback_delivery_create(
        interview=interview,
        kind=KIND,
        event=event,
        missing="Teamtailor update URL",
        # One partner result's updates go in the order they happened.
        ordering=ordering_key(SOURCE, interview),
        dedup_key=dedup_key,
    )


def teamtailor_result_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Built from the interview as it is now (loaded by the engine), whatever status the
    # event recorded: a retry after later changes sends the newer state, never an older one.
    # Loaded with the delivery (the "loads" declared in register()): no query here.
    settings_row = getattr(delivery.organization, "teamtailor_settings", None)
    api_key = settings_row.api_key() if settings_row else ""
    if not api_key:
        raise TeamtailorNotConfigured(
            f"No Teamtailor partner API key is configured for {delivery.organization}: set it "
            "in the admin (Teamtailor settings)."
        )
    grades = (settings_row.top_fit_percent, settings_row.might_be_fit_percent)
    return kinds.OutboundRequest(
        method="PUT",
        url=delivery.target_url,
        json_body=result_put_body(delivery.interview, grades=grades),
        headers={
            # Teamtailor's partner docs show both "Token" and "Bearer"; their
            # Authentication section uses Token.
            "Authorization": f"Token {api_key}",
            "X-Api-Version": API_VERSION,
            "Content-Type": "application/vnd.api+json",
            "Accept": "application/vnd.api+json",
        },
    )


def register() -> None:
    kinds.register(KIND, teamtailor_result_build, loads=("organization__teamtailor_settings",))
    # Every status change has a result status (payloads.RESULT_STATUS); "sent" is queued when
    # the interview is created (services.py), the others here.
    status_updates_register(
        sources={SOURCE},
        create=teamtailor_result_create,
        statuses=EVERY_CHANGE,
        recording_statuses=RECORDING_STATUSES,
        dispatch_uid="teamtailor.result_on_status_change",
        needs_callback_url=True,
    )

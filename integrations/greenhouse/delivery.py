"""The results PATCH: MarioHR → the interview's callback URL (Greenhouse-compatible).

It goes as soon as the interview is scored, with recording_url null while the recording is
still being processed; a "recording_ready" PATCH follows once it is (recording_ready.py).
Interviews created in the admin with a callback URL get the same PATCH."""

from assessments.models import Interview

from ..delivery import kinds
from ..delivery.models import Delivery
from ..delivery.status_updates import callback_delivery_create, status_updates_register
from ..sandbox.targets import sandbox_receiver_delivery_check
from .credentials import credentials_of
from .payloads import results_patch_payload

KIND = "results_patch"
SOURCE = "greenhouse"
PATCHED_SOURCES = (SOURCE, "admin")


def results_patch_build(delivery: Delivery) -> kinds.OutboundRequest:
    # Built from the database at every attempt (the engine loads the interview with the
    # delivery): a retry or replay carries current data.
    # The credentials go wherever the URL points: the receiver only for its own sandbox.
    sandbox_receiver_delivery_check(delivery.target_url, organization=delivery.organization)
    return kinds.OutboundRequest(
        method="PATCH",
        url=delivery.target_url,
        json_body=results_patch_payload(delivery.interview),
        # The settings row is joined by the engine's load query (loads= below): no query.
        basic_auth=credentials_of(getattr(delivery.organization, "greenhouse_settings", None)),
    )


def results_patch_create(
    *, interview: Interview, event: dict, dedup_key: str | None = None
) -> Delivery:
    return callback_delivery_create(
        interview=interview,
        kind=KIND,
        event=event,
        missing="callback URL to PATCH",
        dedup_key=dedup_key,
    )


def register() -> None:
    kinds.register(KIND, results_patch_build, loads=("organization__greenhouse_settings",))
    # Score corrections (complete → complete) tell the ATS again. Only a complete interview
    # was PATCHed with its results, maybe without the recording link. Back to sent (a reopen
    # or retake) is PATCHed too: Greenhouse then reads test_status, which says "sent".
    status_updates_register(
        sources=PATCHED_SOURCES,
        create=results_patch_create,
        statuses={Interview.Status.COMPLETE, Interview.Status.SENT},
        recording_statuses={Interview.Status.COMPLETE},
        dispatch_uid="greenhouse.results_patch_on_complete",
        needs_callback_url=True,
    )

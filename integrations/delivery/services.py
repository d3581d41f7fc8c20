"""The delivery engine: create (outbox), claim, attempt, schedule, sweep, retry, replay.

Claiming is a conditional update that sets a lease, never a lock held across network I/O:
two workers running the same task concurrently get 1 and 0 rows, and a worker that dies
mid-send leaves a lease that simply expires for the sweeper to notice.

A successful attempt costs three statements on PostgreSQL, four on SQLite (Ashby's ordered
updates one more, to enqueue the next): one load of the delivery with everything building
its request reads, the claim, and the outcome recorded atomically (the delivery's new state
and the attempt row: one statement on PostgreSQL, two in a transaction elsewhere).
"""

import logging
import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, Exists, F, JSONField, Min, Q, Value, When, sql
from django.utils import timezone

from assessments.models import Interview, Organization
from mariohr import metrics
from mariohr.enqueue import task_enqueue
from mariohr.json_safety import storable
from mariohr.request_id import current_request_id, request_id_bound

from ..credentials import webhook_secret_get
from ..ssrf import UnsafeURL
from . import kinds, transport
from .interpret import default_outcome
from .kinds import Outcome
from .loading import delivery_load
from .models import Delivery, DeliveryAttempt
from .prepared import prepared_cursor

logger = logging.getLogger(__name__)

S = Delivery.Status
RETRY_AFTER_CAP_SECONDS = 3600
# Retries due within this many seconds ride a Celery countdown; longer waits live only in
# the row (next_attempt_at) and the sweeper, since long countdowns misbehave on Redis.
COUNTDOWN_LIMIT_SECONDS = 60
EXCERPT_CHARS = 2000
# What erasure writes over a delivery's body (integrations/privacy.py): an attempt in flight
# must not write it back.
REDACTED_BODY = {"redacted": "candidate data removed"}


class DeliveryNotPossible(Exception):
    """The requested delivery cannot be created; the message says why, for an operator."""


def endpoint_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()[:300]


def delivery_create(
    *,
    organization: Organization,
    interview: Interview | None = None,
    kind: str,
    target_url: str,
    event: dict | None = None,
    ordering_key: str = "",
    replay_of: Delivery | None = None,
    dedup_key: str | None = None,
) -> Delivery:
    """Write the outbox row in the caller's transaction; enqueue the fast path on commit.
    A ``dedup_key`` already used raises IntegrityError."""
    kinds.get(kind)
    now = timezone.now()
    delivery = Delivery.objects.create(
        organization=organization,
        interview=interview,
        kind=kind,
        target_url=target_url,
        endpoint=endpoint_of(target_url),
        event=event or {},
        ordering_key=ordering_key,
        replay_of=replay_of,
        dedup_key=dedup_key,
        next_attempt_at=now,
        enqueued_at=now,
        request_id=current_request_id(),
    )
    transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk))
    return delivery


_broker_unavailable_until = 0.0
BROKER_BACKOFF_SECONDS = 10


def delivery_enqueue(*, delivery_id: int, countdown: float | None = None) -> bool:
    """Hand the id to Celery. A broker outage is logged, not raised: the row is safe and the
    sweeper enqueues it again once the broker is back."""
    global _broker_unavailable_until
    if time.monotonic() < _broker_unavailable_until:
        # Connecting to a dead broker takes seconds; do not make every request pay that.
        return False
    options = {"retry": False}
    if settings.MARIOHR_DELIVERY_QUEUE:
        options["queue"] = settings.MARIOHR_DELIVERY_QUEUE
    if countdown:
        options["countdown"] = countdown
    try:
        # By name: the tasks module imports this one, and an attempt queues the next.
        task_enqueue("integrations.delivery.tasks.attempt_delivery", delivery_id, **options)
    except Exception:
        _broker_unavailable_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning(
            "Could not enqueue delivery %s; the sweeper will.", delivery_id, exc_info=True
        )
        return False
    return True


def delivery_settings_row(delivery: Delivery):
    """The organization's IntegrationSettings as loaded with the delivery for this attempt
    (None when it was not, or there is none)."""
    return delivery.__dict__.get("_loaded_settings")


@dataclass(frozen=True)
class Claim:
    delivery: Delivery
    token: str


def delivery_claim(*, delivery_id: int) -> Claim | None:
    """Load a due delivery and take its lease; None if it is not ours to send.

    The lease is taken only if the row still has the attempt count it was loaded with, so
    what was loaded is what the lease holder sends and records; a row behind an earlier
    active one of its ordering key is left alone."""
    now = timezone.now()
    delivery = delivery_load(delivery_id)
    if delivery is None or not delivery.is_active or delivery.next_attempt_at > now:
        return None
    token = secrets.token_hex(16)
    due = Delivery.objects.filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now),
        pk=delivery_id,
        status__in=Delivery.ACTIVE_STATUSES,
        next_attempt_at__lte=now,
        attempt_count=delivery.attempt_count,
    )
    if delivery.ordering_key:
        earlier = Delivery.objects.filter(
            ordering_key=delivery.ordering_key,
            pk__lt=delivery_id,
            status__in=Delivery.ACTIVE_STATUSES,
        )
        due = due.filter(~Exists(earlier))
    leased_until = now + timedelta(seconds=settings.MARIOHR_DELIVERY_LEASE_SECONDS)
    if not due.update(leased_until=leased_until, lease_token=token):
        return None
    delivery.leased_until, delivery.lease_token = leased_until, token
    return Claim(delivery, token)


def delivery_attempt(*, delivery_id: int) -> DeliveryAttempt | None:
    """Claim, build, send and record one attempt; None when the delivery was not ours or
    was postponed before anything was sent."""
    claim = delivery_claim(delivery_id=delivery_id)
    if claim is None:
        return None
    delivery, token = claim.delivery, claim.token
    attempted_at = timezone.now()
    try:
        kind = kinds.get(delivery.kind)
        request = kind.build_request(delivery)
    except kinds.Postpone as postpone:
        _postpone(delivery, token, postpone)
        return None
    except Exception as exc:
        outcome = _build_failure(delivery, exc)
        return _attempt_record(delivery, token, attempted_at, None, None, outcome)
    response = None
    try:
        response = transport.request_send(
            request,
            webhook_id=delivery.webhook_id,
            signing_secret=webhook_secret_get(
                organization=delivery.organization, settings_row=delivery_settings_row(delivery)
            ),
            timeout=settings.MARIOHR_DELIVERY_TIMEOUT_SECONDS,
            max_response_bytes=settings.MARIOHR_DELIVERY_MAX_RESPONSE_BYTES,
        )
    except UnsafeURL as exc:
        outcome = Outcome.retry(f"Blocked by the SSRF guard: URL {exc}")
    except transport.TransportError as exc:
        outcome = Outcome.retry(str(exc))
    except Exception as exc:
        logger.exception("Delivery %s (%s) failed before an answer", delivery.pk, delivery.kind)
        outcome = Outcome.retry(f"Internal error: {type(exc).__name__}: {exc}")
    else:
        outcome = _judge(kind, delivery, response)
    return _attempt_record(delivery, token, attempted_at, request, response, outcome)


def _build_failure(delivery: Delivery, exc: Exception) -> Outcome:
    if isinstance(exc, kinds.CredentialsMissing):
        return Outcome.retry(str(exc), credentials_problem=True)
    if isinstance(exc, kinds.Superseded):
        return Outcome.stop(f"Not sent: {exc}")
    logger.exception("Delivery %s (%s) could not be built", delivery.pk, delivery.kind)
    return Outcome.retry(f"Internal error: {type(exc).__name__}: {exc}")


def _judge(kind: kinds.Kind, delivery: Delivery, response: transport.Response) -> Outcome:
    try:
        outcome = None
        if kind.interpret_response is not None:
            outcome = kind.interpret_response(
                delivery, response.status_code, response.headers, response.body
            )
        return outcome or default_outcome(response.status_code, response.headers)
    except Exception as exc:
        # The answer is on record; a bug in judging it must not leave the lease dangling.
        logger.exception("Delivery %s: interpreting the answer failed", delivery.pk)
        return Outcome.retry(f"Internal error judging the answer: {type(exc).__name__}")


def _postpone(delivery: Delivery, token: str, postpone: kinds.Postpone) -> None:
    now = timezone.now()
    next_attempt_at = now + timedelta(seconds=postpone.seconds)
    use_countdown = postpone.seconds <= COUNTDOWN_LIMIT_SECONDS
    updated = Delivery.objects.filter(pk=delivery.pk, lease_token=token).update(
        next_attempt_at=next_attempt_at,
        leased_until=None,
        lease_token="",
        enqueued_at=next_attempt_at if use_countdown else None,
        last_error=text_storable(postpone.reason),
        updated_at=now,
    )
    if updated and use_countdown:
        delivery_enqueue(delivery_id=delivery.pk, countdown=postpone.seconds)


def retry_schedule() -> list[int]:
    return settings.MARIOHR_DELIVERY_RETRY_SCHEDULE


def retry_delay(*, attempts_made: int, retry_after: float | None = None) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` attempts; None when exhausted."""
    schedule = retry_schedule()
    if attempts_made >= len(schedule):
        return None
    delay = float(schedule[attempts_made])
    jitter = settings.MARIOHR_DELIVERY_JITTER_PERCENT / 100
    delay *= 1 + random.uniform(-jitter, jitter)
    if retry_after is not None and math.isfinite(retry_after):
        delay = max(delay, min(retry_after, RETRY_AFTER_CAP_SECONDS))
    return delay


def _attempt_record(delivery, token, attempted_at, request, response, outcome) -> DeliveryAttempt:
    try:
        attempt, updated, status, delay = _attempt_write(
            delivery, token, attempted_at, request, response, outcome
        )
    except Exception as exc:
        # Unrecorded, the lease would expire and the sweeper resend it forever, never failed:
        # record the attempt without what could not be stored (a value the database refuses).
        logger.exception("Delivery %s: recording the attempt failed", delivery.pk)
        outcome = Outcome.retry(f"Internal error recording the answer: {type(exc).__name__}")
        if response is not None:
            response = replace(response, body=b"")
        attempt, updated, status, delay = _attempt_write(
            delivery, token, attempted_at, None, response, outcome
        )
    use_countdown = delay is not None and delay <= COUNTDOWN_LIMIT_SECONDS
    if not updated:
        logger.warning("Delivery %s: lease expired before the attempt was recorded", delivery.pk)
    if updated and use_countdown:
        delivery_enqueue(delivery_id=delivery.pk, countdown=delay)
    if updated and status not in Delivery.ACTIVE_STATUSES and delivery.ordering_key:
        _enqueue_next_in_order(delivery.ordering_key)
    return attempt


def _attempt_write(delivery, token, attempted_at, request, response, outcome):
    """Record the attempt and release the lease: (attempt, rows updated, status, delay)."""
    now = timezone.now()
    number = delivery.attempt_count + 1
    delay = None
    if outcome.result == Outcome.SUCCESS:
        status, attempt_outcome = S.SUCCEEDED, DeliveryAttempt.Outcome.SUCCESS
    elif outcome.result == Outcome.STOP:
        status, attempt_outcome = S.STOPPED, DeliveryAttempt.Outcome.STOPPED
    else:
        delay = retry_delay(attempts_made=number, retry_after=outcome.retry_after)
        if delay is None:
            status, attempt_outcome = S.FAILED, DeliveryAttempt.Outcome.FAILED
        else:
            status, attempt_outcome = S.RETRYING, DeliveryAttempt.Outcome.RETRY
    next_attempt_at = now + timedelta(seconds=delay or 0)
    use_countdown = delay is not None and delay <= COUNTDOWN_LIMIT_SECONDS
    fields = {
        "status": status,
        "attempt_count": number,
        "next_attempt_at": next_attempt_at,
        "leased_until": None,
        "lease_token": "",
        "enqueued_at": next_attempt_at if use_countdown else None,
        "last_status_code": response.status_code if response else None,
        "last_error": text_storable(outcome.error),
        "credentials_problem": outcome.credentials_problem,
        "succeeded_at": now if status == S.SUCCEEDED else None,
        "updated_at": now,
    }
    if request is not None:
        fields.update(
            method=request.method,
            request_body=_body_unless_redacted(request.json_body),
            auth_reference=_auth_reference(request),
        )
    attempt = DeliveryAttempt(
        delivery=delivery,
        number=number,
        attempted_at=attempted_at,
        duration_ms=response.duration_ms if response else _ms_since(attempted_at),
        status_code=response.status_code if response else None,
        outcome=attempt_outcome,
        response_excerpt=_excerpt(response.body) if response else "",
        error=fields["last_error"],
        request_id=current_request_id(),
    )
    updated = _record(Delivery.objects.filter(pk=delivery.pk, lease_token=token), fields, attempt)
    metrics.delivery_attempts.labels(delivery.kind, attempt_outcome).inc()
    metrics.delivery_attempt_duration.labels(delivery.kind).observe(attempt.duration_ms / 1000)
    return attempt, updated, status, delay


def _body_unless_redacted(body):
    """The body as sent, unless an erasure redacted the row while this attempt was in flight:
    decided in the UPDATE itself, so no erasure can fall between a read and the write."""
    sent = None if body is None else Value(body, output_field=JSONField())
    return Case(When(request_body=REDACTED_BODY, then=F("request_body")), default=sent)


def _record(leased, fields: dict, attempt: DeliveryAttempt) -> int:
    """Update the leased delivery and insert the attempt, atomically; returns the rows
    updated (0: the lease was lost, the attempt is still on record). On PostgreSQL one
    statement (a data-modifying WITH), saving a transaction's round trips at every attempt."""
    using = leased.db
    if connections[using].in_atomic_block:
        # In a caller's transaction a failed statement would poison it for the fallback
        # record; a worker runs in autocommit and pays no savepoint.
        with transaction.atomic(using=using):
            return _record_now(leased, fields, attempt)
    return _record_now(leased, fields, attempt)


def _record_now(leased, fields: dict, attempt: DeliveryAttempt) -> int:
    using = leased.db
    if connections[using].vendor != "postgresql":
        with transaction.atomic(using=using):
            updated = leased.update(**fields)
            attempt.save(using=using)
        return updated
    update = leased.query.chain(sql.UpdateQuery)
    update.add_update_values(fields)
    update_sql, update_params = update.get_compiler(using).as_sql()
    insert = sql.InsertQuery(DeliveryAttempt)
    insert.insert_values(
        [f for f in DeliveryAttempt._meta.concrete_fields if not f.primary_key], [attempt]
    )
    ((insert_sql, insert_params),) = insert.get_compiler(using).as_sql()
    statement = (
        # Both parts compiled by the ORM from model fields; no outside input.
        f"WITH updated AS ({update_sql} RETURNING 1) {insert_sql} "  # noqa: S608
        "RETURNING id, (SELECT COUNT(*) FROM updated)"
    )
    with prepared_cursor(using) as cursor:
        cursor.execute(statement, (*update_params, *insert_params))
        attempt.pk, updated = cursor.fetchone()
    attempt._state.adding, attempt._state.db = False, using
    return updated


def _enqueue_next_in_order(ordering_key: str) -> None:
    following = (
        Delivery.objects.filter(ordering_key=ordering_key, status__in=Delivery.ACTIVE_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        delivery_enqueue(delivery_id=following)


def _excerpt(body: bytes) -> str:
    return text_storable(body[:EXCERPT_CHARS].decode("utf-8", errors="replace"))


def text_storable(text: str) -> str:
    """``text`` as a text column takes it: NUL (PostgreSQL refuses it) and lone surrogates
    (UTF-8 refuses them) become replacement characters."""
    if storable(text):
        return text
    return text.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _ms_since(moment) -> int:
    return int((timezone.now() - moment).total_seconds() * 1000)


def deliveries_sweep(*, limit: int = 1000) -> int:
    """Enqueue every delivery that is due, not in flight and not recently enqueued (lost
    messages, dead workers, a flushed broker). Return how many were enqueued."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.MARIOHR_DELIVERY_REENQUEUE_SECONDS)
    due = list(
        Delivery.objects.filter(status__in=Delivery.ACTIVE_STATUSES, next_attempt_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=stale))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "ordering_key", "request_id")[:limit]
    )
    keys = {key for _, key, _ in due if key}
    first_in_key = dict(
        Delivery.objects.filter(ordering_key__in=keys, status__in=Delivery.ACTIVE_STATUSES)
        .values("ordering_key")
        .annotate(first=Min("pk"))
        .values_list("ordering_key", "first")
    )
    chosen = [(pk, rid) for pk, key, rid in due if not key or first_in_key.get(key) == pk]
    Delivery.objects.filter(pk__in=[pk for pk, _ in chosen]).update(enqueued_at=now)
    for delivery_id, request_id in chosen:
        # A lost message goes out again under the id of the request that caused it.
        with request_id_bound(request_id or current_request_id()):
            delivery_enqueue(delivery_id=delivery_id)
    return len(chosen)


def delivery_retry_now(*, delivery: Delivery) -> bool:
    """Attempt again now, the same message (same webhook-id); a failed or stopped delivery
    gets one more attempt. Succeeded deliveries are replayed instead."""
    now = timezone.now()
    updated = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(status=S.SUCCEEDED)
        .update(
            status=S.RETRYING if delivery.attempt_count else S.PENDING,
            next_attempt_at=now,
            enqueued_at=now,
        )
    )
    if updated:
        transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk))
    return bool(updated)


def delivery_replay(*, delivery: Delivery) -> Delivery:
    """A new delivery of the same kind to the same target, with a new webhook-id so a
    receiver that deduplicates processes it; the body is built from current data. A kind
    may define its own replay (Ashby: the current state with a fresh timestamp)."""
    kind = kinds.get(delivery.kind)
    if kind.replay is not None:
        return kind.replay(delivery)
    return delivery_create(
        organization=delivery.organization,
        interview=delivery.interview,
        kind=delivery.kind,
        target_url=delivery.target_url,
        event={**delivery.event, "replay_of": delivery.webhook_id},
        ordering_key=delivery.ordering_key,
        replay_of=delivery,
    )


# Submit results, by interview source. Each integration registers how its ATS is told
# (each ATS plug-in registers its own in its delivery.py).
SUBMIT_RESULTS_BY_SOURCE: dict[str, Callable[..., Delivery]] = {}


def submit_results_register(source: str, handler: Callable[..., Delivery]) -> None:
    """``handler(*, interview, event) -> Delivery`` creates the delivery for ``source``."""
    SUBMIT_RESULTS_BY_SOURCE[source] = handler


def delivery_submit_results(*, interview: Interview) -> Delivery:
    """Queue the results callback with the interview's current data, whatever its status."""
    handler = SUBMIT_RESULTS_BY_SOURCE.get(interview.source)
    if handler is None:
        raise DeliveryNotPossible(
            f"No results delivery is defined for {interview.source} interviews."
        )
    event = {
        "trigger": "submit_results",
        "status": interview.status,
        "at_ms": int(timezone.now().timestamp() * 1000),
    }
    with transaction.atomic():
        return handler(interview=interview, event=event)


def _auth_reference(request: kinds.OutboundRequest) -> str:
    """How the attempt authenticated ("basic", "bearer", "token"…), never with what."""
    if request.basic_auth:
        return "basic"
    header = next((v for k, v in request.headers.items() if k.lower() == "authorization"), "")
    scheme = header.split(" ", 1)[0].lower() if header else ""
    return scheme[:20] if scheme.isalpha() else ("header" if header else "none")

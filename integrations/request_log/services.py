import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from assessments.models import Interview, Organization

from .models import PartnerRequest
from .redaction import redacted_body, redacted_query
from .transit import batch_open, body_bytes

logger = logging.getLogger(__name__)


def partner_requests_write(*, batch: dict) -> int:
    """Open one sealed batch from buffer.py, redact every row and insert them with one
    statement; returns the rows written."""
    if batch["database"] != str(connection.settings_dict["NAME"]):
        logger.warning("Request log: ignored a batch captured against %r", batch["database"])
        return 0
    if "rows" in batch:
        # Redacted by a web process of the previous release (a batch queued during a deploy).
        rows = [_partner_request(row) for row in batch["rows"]]
    else:
        try:
            wire_rows = batch_open(batch)
        except ValueError:
            # Retrying cannot help: the worker lacks the web processes' MARIOHR_FERNET_KEYS.
            logger.error("Request log: a batch no MARIOHR_FERNET_KEYS key opens was dropped")
            return 0
        rows = [_partner_request(_redacted_row(row)) for row in wire_rows]
    # An organization or interview deleted between the call and now: keep the call.
    _forget_missing(rows)
    try:
        with transaction.atomic():
            PartnerRequest.objects.bulk_create(rows)
    except DatabaseError:
        # One row the database refuses (an organization deleted meanwhile, a body redaction
        # let through) must not cost the batch's other calls: they are written one by one.
        logger.exception(
            "Request log: a batch of %d row(s) failed; writing them one by one", len(rows)
        )
        return _rows_write_one_by_one(rows)
    return len(rows)


def _rows_write_one_by_one(rows: list[PartnerRequest]) -> int:
    written = 0
    for row in rows:
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except DatabaseError:
            logger.exception(
                "Request log: dropped the row of %s %s (request id %s)",
                row.method,
                row.path,
                row.request_id,
            )
            continue
        written += 1
    return written


def _redacted_row(wire: dict) -> dict:
    """A captured call as it crossed the broker (buffer.Captured.wire), made storable: bodies
    and query parsed and redacted, text cut to the columns' sizes."""
    return {
        "created_at": datetime.fromtimestamp(wire["created_at"], UTC),
        "ats": wire["ats"],
        "endpoint": wire["endpoint"][:100],
        "method": wire["method"][:10],
        "path": wire["path"][:300],
        "query": redacted_query(wire["query_string"]),
        "status_code": wire["status_code"],
        "latency_ms": round(wire["latency_ms"], 2),
        "request_body": _stored_body(wire["request"]),
        "response_body": _stored_body(wire["response"]),
        "request_id": wire["request_id"][:200],
        "organization_id": wire["organization_id"],
        "interview_id": wire["interview_id"],
    }


def _stored_body(wire: list):
    raw, kept = body_bytes(wire)
    return kept if raw is None else redacted_body(raw)


def _partner_request(row: dict) -> PartnerRequest:
    created_at = row["created_at"]
    if isinstance(created_at, str):  # a batch of the previous release
        created_at = datetime.fromisoformat(created_at)
    return PartnerRequest(**{**row, "created_at": created_at})


def _forget_missing(rows: list[PartnerRequest]) -> None:
    organizations = set(
        Organization.objects.filter(
            pk__in={row.organization_id for row in rows} - {None}
        ).values_list("pk", flat=True)
    )
    interviews = set(
        Interview.objects.filter(pk__in={row.interview_id for row in rows} - {None}).values_list(
            "pk", flat=True
        )
    )
    for row in rows:
        if row.organization_id not in organizations:
            row.organization_id = None
        if row.interview_id not in interviews:
            row.interview_id = None


def partner_requests_purge(*, now: datetime | None = None) -> int:
    """Delete rows older than MARIOHR_REQUEST_LOG_RETENTION_DAYS, oldest first, in batches of
    MARIOHR_REQUEST_LOG_PURGE_BATCH and at most MARIOHR_REQUEST_LOG_PURGE_MAX_BATCHES per run
    (beat comes back for the rest): no statement holds locks on a large part of the table."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.MARIOHR_REQUEST_LOG_RETENTION_DAYS)
    size = settings.MARIOHR_REQUEST_LOG_PURGE_BATCH
    deleted = 0
    for _ in range(settings.MARIOHR_REQUEST_LOG_PURGE_MAX_BATCHES):
        # A range read on the created_at index, then a delete by primary key.
        ids = list(
            PartnerRequest.objects.filter(created_at__lt=cutoff)
            .order_by("created_at")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            break
        PartnerRequest.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        if len(ids) < size:
            break
    return deleted

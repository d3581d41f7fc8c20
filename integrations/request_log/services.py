import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from assessments.models import Interview, Organization

from .models import PartnerRequest

logger = logging.getLogger(__name__)


def partner_requests_write(*, batch: dict) -> int:
    """Insert one batch from buffer.py with one statement; returns the rows written."""
    if batch["database"] != str(connection.settings_dict["NAME"]):
        logger.warning(
            "Request log: ignored %d row(s) captured against database %r",
            len(batch["rows"]),
            batch["database"],
        )
        return 0
    rows = [_partner_request(row) for row in batch["rows"]]
    # An organization or interview deleted between the call and now: keep the call.
    _forget_missing(rows)
    PartnerRequest.objects.bulk_create(rows)
    return len(rows)


def _partner_request(row: dict) -> PartnerRequest:
    return PartnerRequest(**{**row, "created_at": datetime.fromisoformat(row["created_at"])})


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

"""What integrations hold about a candidate, for assessments.privacy (which may not import
integrations): redaction on erasure and anonymization, the export's delivery and request-log
metadata, and the delivery bodies' own retention purge.

Delivery and attempt rows are kept as metadata (kind, status codes, times); their bodies go.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from assessments.models import Interview
from assessments.privacy.anonymize import REDACTED, candidate_needles, scrubbed
from assessments.privacy.models import PurgeCursor
from assessments.privacy.signals import (
    candidate_data_exporting,
    candidate_data_removing,
    retention_purging,
)

from .delivery.models import Delivery, DeliveryAttempt
from .delivery.services import REDACTED_BODY
from .models import ErrorReport
from .request_log.models import PartnerRequest

logger = logging.getLogger(__name__)

DELIVERY_BODY_CURSOR = "delivery_bodies"


@receiver(candidate_data_removing, dispatch_uid="integrations.privacy.remove")
def on_candidate_data_removing(sender, candidate, interview_ids, email, counts, **kwargs):
    needles = [email, *candidate_needles(candidate)]
    deliveries = Delivery.objects.filter(interview_id__in=interview_ids)
    counts["deliveries_redacted"] = deliveries.update(request_body=REDACTED_BODY)
    for delivery in deliveries.only("pk", "event", "last_error"):
        Delivery.objects.filter(pk=delivery.pk).update(
            event=scrubbed(delivery.event, needles),
            last_error=scrubbed(delivery.last_error, needles),
        )
    attempts = DeliveryAttempt.objects.filter(delivery__interview_id__in=interview_ids)
    counts["delivery_attempts_redacted"] = attempts.update(response_excerpt=REDACTED, error="")
    counts["partner_requests_redacted"] = PartnerRequest.objects.filter(
        interview_id__in=interview_ids
    ).update(request_body=None, response_body=None, query={})
    # An ATS's response_error report names the candidate by e-mail and interview id.
    partner_ids = Interview.objects.filter(pk__in=interview_ids).values("partner_interview_id")
    counts["error_reports_deleted"], _ = (
        ErrorReport.objects.filter(organization_id=candidate.organization_id)
        .filter(Q(candidate_email__iexact=email) | Q(partner_interview_id__in=partner_ids))
        .delete()
    )


@receiver(candidate_data_exporting, dispatch_uid="integrations.privacy.export")
def on_candidate_data_exporting(sender, candidate, interview_ids, **kwargs):
    deliveries = Delivery.objects.filter(interview_id__in=interview_ids).order_by("pk")
    requests = PartnerRequest.objects.filter(interview_id__in=interview_ids).order_by("pk")
    return {
        "deliveries": [
            {
                "kind": delivery.kind,
                "target": delivery.endpoint,
                "status": delivery.status,
                "created_at": delivery.created_at,
                "request_body": delivery.request_body,
                "attempts": [
                    {
                        "number": attempt.number,
                        "attempted_at": attempt.attempted_at,
                        "status_code": attempt.status_code,
                        "outcome": attempt.outcome,
                    }
                    for attempt in delivery.attempts.all()
                ],
            }
            for delivery in deliveries.prefetch_related("attempts")
        ],
        "ats_requests": [
            {
                "ats": call.ats,
                "endpoint": call.endpoint,
                "method": call.method,
                "status_code": call.status_code,
                "created_at": call.created_at,
                "request_body": call.request_body,
                "response_body": call.response_body,
            }
            for call in requests
        ],
    }


@receiver(retention_purging, dispatch_uid="integrations.privacy.delivery_bodies")
def on_retention_purging(sender, now, counts, **kwargs):
    counts["delivery_bodies"] = delivery_bodies_purge(now=now)


def delivery_bodies_purge(*, now) -> int:
    """Empty the bodies of finished deliveries older than MARIOHR_DELIVERY_BODY_RETENTION_DAYS
    (the request sent, the responses' excerpts), walking the table by primary key from where
    the last run stopped: each run reads only rows it has not seen. Rows stay as metadata."""
    cutoff = now - timedelta(days=settings.MARIOHR_DELIVERY_BODY_RETENTION_DAYS)
    size = settings.MARIOHR_PRIVACY_PURGE_BATCH
    cursor, _ = PurgeCursor.objects.get_or_create(name=DELIVERY_BODY_CURSOR)
    purged = 0
    for _ in range(settings.MARIOHR_PRIVACY_PURGE_MAX_BATCHES):
        rows = list(
            Delivery.objects.filter(pk__gt=cursor.last_pk)
            .order_by("pk")
            .values_list("pk", "created_at", "status")[:size]
        )
        # Stop at the first row too young or still being delivered; ids grow with time.
        done = []
        for pk, created_at, status in rows:
            if created_at >= cutoff or status in Delivery.ACTIVE_STATUSES:
                break
            done.append(pk)
        if done:
            with transaction.atomic():
                Delivery.objects.filter(pk__in=done).update(request_body=None)
                DeliveryAttempt.objects.filter(delivery_id__in=done).update(response_excerpt="")
                cursor.last_pk = done[-1]
                PurgeCursor.objects.filter(pk=cursor.pk).update(last_pk=cursor.last_pk)
            purged += len(done)
        if len(done) < size:
            break
    if purged:
        logger.info("Retention: emptied the bodies of %s deliveries", purged)
    return purged

"""Read helpers for the admin: endpoint health, recent failures, search."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, Q
from django.utils import timezone

from assessments.models import Interview
from assessments.selectors import interview_search

from .models import Delivery, DeliveryAttempt
from .services import endpoint_of

HEALTH_WINDOW_DAYS = 30


@dataclass(frozen=True)
class EndpointHealth:
    organization_id: int
    organization_name: str
    endpoint: str
    last_success_at: datetime | None
    failing_since: datetime | None

    @property
    def flagged(self) -> bool:
        """Failing, with no success in between, for MARIOHR_DELIVERY_FAILING_ENDPOINT_DAYS."""
        limit = timedelta(days=settings.MARIOHR_DELIVERY_FAILING_ENDPOINT_DAYS)
        return self.failing_since is not None and timezone.now() - self.failing_since >= limit


def endpoints_health(*, organization_id: int | None = None) -> list[EndpointHealth]:
    since = timezone.now() - timedelta(days=HEALTH_WINDOW_DAYS)
    attempts = DeliveryAttempt.objects.filter(attempted_at__gte=since)
    if organization_id is not None:
        attempts = attempts.filter(delivery__organization_id=organization_id)
    success = Q(outcome=DeliveryAttempt.Outcome.SUCCESS)
    groups = attempts.values(
        "delivery__organization_id", "delivery__organization__name", "delivery__endpoint"
    ).annotate(last_success_at=Max("attempted_at", filter=success))
    health = []
    for group in groups.order_by("delivery__organization__name", "delivery__endpoint"):
        failures = attempts.filter(
            delivery__organization_id=group["delivery__organization_id"],
            delivery__endpoint=group["delivery__endpoint"],
        ).exclude(success)
        if group["last_success_at"]:
            failures = failures.filter(attempted_at__gt=group["last_success_at"])
        health.append(
            EndpointHealth(
                organization_id=group["delivery__organization_id"],
                organization_name=group["delivery__organization__name"],
                endpoint=group["delivery__endpoint"],
                last_success_at=group["last_success_at"],
                failing_since=failures.aggregate(first=Min("attempted_at"))["first"],
            )
        )
    return health


def failing_endpoints() -> list[EndpointHealth]:
    return [endpoint for endpoint in endpoints_health() if endpoint.flagged]


FAILING_ENDPOINTS_CACHE_SECONDS = 60


def failing_endpoints_recent() -> list[EndpointHealth]:
    """failing_endpoints() as of at most a minute ago, for the deliveries list's banner.

    The list shows it on every view, and with a million deliveries the health query joins
    a month of attempts to the whole deliveries table (about 0.3 s); a flag raised after
    days of failures loses nothing by a minute's delay. The failures page stays exact.
    """
    found = cache.get("delivery:failing_endpoints")
    if found is None:
        found = failing_endpoints()
        cache.set("delivery:failing_endpoints", found, FAILING_ENDPOINTS_CACHE_SECONDS)
    return found


def recent_failures_by_organization(*, days: int = 7, per_organization: int = 20) -> list[dict]:
    """Deliveries not (yet) delivered, with a failed attempt in the last ``days`` days."""
    since = timezone.now() - timedelta(days=days)
    deliveries = (
        Delivery.objects.filter(attempts__attempted_at__gte=since)
        .exclude(status=Delivery.Status.SUCCEEDED)
        .select_related("organization", "interview")
        .distinct()
        .order_by("organization__name", "-updated_at")
    )
    health = endpoints_health()
    by_organization: dict[int, dict] = {}
    for delivery in deliveries:
        entry = by_organization.setdefault(
            delivery.organization_id,
            {
                "organization": delivery.organization,
                "deliveries": [],
                "endpoints": [h for h in health if h.organization_id == delivery.organization_id],
            },
        )
        if len(entry["deliveries"]) < per_organization:
            entry["deliveries"].append(delivery)
    return list(by_organization.values())


def delivery_search(queryset, term: str):
    """The deliveries of ``queryset`` an operator's search ``term`` finds, through indexes
    only: a webhook id or request id (of the delivery or one of its attempts) exactly, the
    target URL exactly (within its endpoint), or whatever finds its interview."""
    term = term.strip().replace("\x00", "")
    if not term:
        return queryset
    found = [
        Delivery.objects.filter(webhook_id=term),
        Delivery.objects.filter(request_id=term),
        Delivery.objects.filter(
            pk__in=DeliveryAttempt.objects.filter(request_id=term).values("delivery_id")
        ),
        Delivery.objects.filter(interview__in=interview_search(Interview.objects.all(), term)),
    ]
    if "://" in term:
        found.append(Delivery.objects.filter(endpoint=endpoint_of(term), target_url=term))
    found = [matches.values("pk").order_by() for matches in found]
    return queryset.filter(pk__in=found[0].union(*found[1:], all=True))

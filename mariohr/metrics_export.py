"""/metrics for Prometheus: the samples every process of this host wrote (multiprocess mode)
plus gauges read from the database at scrape time.

Access: a bearer token (MARIOHR_METRICS_TOKEN) or a source network (MARIOHR_METRICS_NETWORKS,
behind the proxy the address mariohr/client_address.py trusts). With neither set, development
answers loopback only and production answers 404: metrics name endpoints and volumes, which
are nobody else's business.
"""

import functools
import hmac
import ipaddress
import logging
import os

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .api_errors import error_body
from .client_address import client_address

logger = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.0/8", "::1/128")


@functools.lru_cache(maxsize=64)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _address_in(address: str | None, cidrs: tuple[str, ...]) -> bool:
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(cidrs))


def _bearer_matches(request, token: str) -> bool:
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    # As bytes: compare_digest refuses non-ASCII str, and WSGI hands any header byte over.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        offered.strip().encode("utf-8", "surrogateescape"), token.encode()
    )


def metrics_access(request) -> int:
    """200 (serve), 401/403 (refuse) or 404 (metrics are off)."""
    token = settings.MARIOHR_METRICS_TOKEN
    networks = tuple(settings.MARIOHR_METRICS_NETWORKS)
    if not token and not networks:
        if settings.MARIOHR_PRODUCTION:
            return 404
        networks = LOOPBACK
    if token and _bearer_matches(request, token):
        return 200
    if _address_in(client_address(request), networks):
        return 200
    return 401 if token else 403


class _DefaultRegistry:
    """This process's own metrics, when multiprocess mode is off."""

    def collect(self):
        yield from REGISTRY.collect()


class DatabaseGauges:
    """Read at scrape: the outbox's lag and the recorder's backlog, one indexed query each.
    The apps are reached by label (the project imports no app)."""

    def collect(self):
        try:
            lag, recordings = _delivery_queue_lag(), _recordings_by_status()
        except DatabaseError:
            logger.warning("Metrics: the database gauges could not be read", exc_info=True)
            return
        yield GaugeMetricFamily(
            "mariohr_delivery_queue_lag_seconds",
            "Age of the oldest due delivery not yet delivered (0 when none is due).",
            value=lag,
        )
        yield GaugeMetricFamily(
            "mariohr_recordings_waiting",
            "Recordings complete and waiting for processing.",
            value=recordings.get("pending", 0),
        )
        yield GaugeMetricFamily(
            "mariohr_recordings_processing",
            "Recordings being processed now.",
            value=recordings.get("processing", 0),
        )


def _delivery_queue_lag() -> float:
    delivery_model = apps.get_model("delivery", "Delivery")
    now = timezone.now()
    # The condition and order of the partial index delivery_due: an index scan of one row.
    oldest = (
        delivery_model.objects.filter(
            status__in=delivery_model.ACTIVE_STATUSES, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def _recordings_by_status() -> dict[str, int]:
    recording_model = apps.get_model("recordings", "Recording")
    statuses = [recording_model.Status.PENDING, recording_model.Status.PROCESSING]
    rows = (
        recording_model.objects.filter(status__in=statuses)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return dict(rows)


def metrics_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_DefaultRegistry())
    registry.register(DatabaseGauges())
    return registry


@require_safe
def metrics(request):
    access = metrics_access(request)
    if access == 404:
        raise Http404("Metrics are off: set MARIOHR_METRICS_TOKEN or MARIOHR_METRICS_NETWORKS.")
    if access != 200:
        response = JsonResponse(
            error_body(
                "forbidden",
                "Metrics need the bearer token (MARIOHR_METRICS_TOKEN) or an address in "
                "MARIOHR_METRICS_NETWORKS.",
            ),
            status=access,
        )
        if access == 401:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(metrics_registry()), content_type=CONTENT_TYPE_LATEST)

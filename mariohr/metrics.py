"""MarioHR's Prometheus metrics, counted where things happen (README "Operating MarioHR").

Several processes count at once (gunicorn workers, Celery workers): prometheus-client's
multiprocess mode has each write its samples to files under PROMETHEUS_MULTIPROC_DIR, which
settings.py points at var/prometheus before this module is first imported, and /metrics
(mariohr/metrics_export.py) adds them up. Gauges that describe the database (queue lag,
recordings waiting) are computed at scrape time there instead of being counted here.
"""

import time

from django.conf import settings
from django_prometheus.middleware import Metrics, PrometheusAfterMiddleware
from prometheus_client import Counter, Histogram

# Seconds: partner API calls take milliseconds; a slow one is the interesting tail.
API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A delivery attempt waits at most MARIOHR_DELIVERY_TIMEOUT_SECONDS (15 by default).
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0)
# Remuxing and transcribing a recording takes from seconds to many minutes.
RECORDING_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)

api_requests = Counter(
    "mariohr_api_requests",
    "Partner API requests by endpoint (route name), method and status.",
    ["endpoint", "method", "status"],
)
api_request_duration = Histogram(
    "mariohr_api_request_duration_seconds",
    "Partner API request latency by endpoint (route name), from the partner API's middleware.",
    ["endpoint"],
    buckets=API_BUCKETS,
)
delivery_attempts = Counter(
    "mariohr_delivery_attempts",
    "Delivery attempts by kind (one per ATS) and outcome (success, retry, failed, stopped).",
    ["kind", "outcome"],
)
delivery_attempt_duration = Histogram(
    "mariohr_delivery_attempt_duration_seconds",
    "Time from the attempt's start to the receiver's answer (or the failure), by kind.",
    ["kind"],
    buckets=DELIVERY_BUCKETS,
)
recording_processing_duration = Histogram(
    "mariohr_recording_processing_seconds",
    "Time one recording-processing task ran, by final state (SUCCESS, RETRY, FAILURE).",
    ["state"],
    buckets=RECORDING_BUCKETS,
)
sweeper_runs = Counter(
    "mariohr_sweeper_runs",
    "Runs of each beat sweeper by final state (SUCCESS, FAILURE).",
    ["sweeper", "state"],
)


# Any other method is one label value: a client must not mint time series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def endpoint_of(request) -> str:
    """The route's name (``greenhouse-send-test``), never the raw path: ids in a path would
    make one time series per interview."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class PartnerApiMetricsMiddleware:
    """In MARIOHR_PARTNER_API_MIDDLEWARE, right after the request id: one counter and one
    histogram sample per call (django-prometheus's middleware, on the browser stack, writes
    a dozen; the partner API has a latency bar to hold)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.MARIOHR_PARTNER_API_PREFIXES)
        self.children: dict[tuple, tuple] = {}

    def __call__(self, request):
        # Also in MIDDLEWARE (the two stacks keep one order), where no API call arrives.
        if not request.path_info.startswith(self.prefixes):
            return self.get_response(request)
        started = time.perf_counter()
        response = self.get_response(request)
        endpoint = endpoint_of(request)
        method = request.method if request.method in METHODS else "other"
        key = (endpoint, method, response.status_code)
        children = self.children.get(key)
        if children is None:
            # labels() takes a lock and checks its arguments: once per series, not per call.
            children = self.children[key] = (
                api_request_duration.labels(endpoint),
                api_requests.labels(endpoint, method, str(response.status_code)),
            )
        children[0].observe(time.perf_counter() - started)
        children[1].inc()
        return response


class PagesMetricsAfterMiddleware(PrometheusAfterMiddleware):
    """django-prometheus's, but its latency histogram labels the raw request.method: gunicorn
    takes any 3-20 capital letters as a method, so every made-up one minted ~17 series."""

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels:
            labels["method"] = self._method(request)
        return super().label_metric(metric, request, response, **labels)


# django-prometheus makes its metrics on a middleware's first request, without a lock: two
# first requests at once (a threaded server, two test clients) both register them and one
# fails with DuplicateTimeseries. Made here once, under the import lock.
Metrics.get_instance()

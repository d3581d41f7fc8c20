"""Integration health: what an account manager reads when "the scores don't show up".

One rule for the traffic light, read three ways: for one organization (its health page), as
annotations on a page of organizations (the list's column) and as a handful of grouped
queries over every organization (the admin's front page). Each reads only rows an index
finds: failures of the last day, the active deliveries (the outbox's partial index), the
stuck interviews (the expiry and review-queue indexes), never a whole table.

- red, "failing": a delivery gave up (retries exhausted) in the last FAILED_WINDOW, or a
  delivery waiting to be retried was refused our credentials (or has none to send);
- amber, "needs attention": deliveries are being retried, or interviews are stuck;
- grey, "not connected": the organization has no active API key;
- green, "healthy": none of these.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.utils import timezone

from assessments.models import Interview, Organization

from . import plugins
from .delivery.models import Delivery, DeliveryAttempt
from .delivery.selectors import endpoints_health
from .models import ApiKey

S = Interview.Status
D = Delivery.Status

RED, AMBER, GREY, GREEN = "red", "amber", "grey", "green"
LIGHT_LABELS = {
    RED: "Failing",
    AMBER: "Needs attention",
    GREY: "Not connected",
    GREEN: "Healthy",
}
FAILED_WINDOW = timedelta(hours=24)
# The expiry sweep runs every minute: a sent interview this far past its expiry was missed.
SWEEP_MARGIN = timedelta(minutes=10)
REVIEW_WAIT = timedelta(days=2)
STUCK_STATES = (S.SENT.value, S.IN_PROGRESS.value, S.SUBMITTED.value)
# Counts shown on pages stop here ("1000+"): a LIMIT, never a COUNT over a whole table.
COUNT_CAP = 1000


def capped_count(queryset, cap: int = COUNT_CAP) -> int:
    return queryset.order_by().values("pk")[: cap + 1].count()


def count_shown(count: int, cap: int = COUNT_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)


# --- the facts the light is made of ---------------------------------------------------------


def failed_deliveries_q(now: datetime) -> Q:
    # A finished delivery's next_attempt_at is its last attempt: the (status, next_attempt_at)
    # index reads the last day's failures alone.
    return Q(status=D.FAILED, next_attempt_at__gte=now - FAILED_WINDOW)


def credentials_refused_q() -> Q:
    return Q(status__in=Delivery.ACTIVE_STATUSES, credentials_problem=True)


def retrying_deliveries_q() -> Q:
    return Q(status=D.RETRYING)


def stuck_interviews_q(now: datetime) -> dict[str, Q]:
    """The README's "stuck" interviews, by the state (its value) they are stuck in."""
    # An interview in progress expires at started_at + time limit, so "started more than twice
    # the time limit ago" is expires_at + (expires_at - started_at) < now.
    time_limit = ExpressionWrapper(F("expires_at") - F("started_at"), output_field=DurationField())
    return {
        S.SENT.value: Q(status=S.SENT, expires_at__lt=now - SWEEP_MARGIN),
        S.IN_PROGRESS.value: Q(
            Q(status=S.IN_PROGRESS, expires_at__lt=now),
            expires_at__lt=Value(now) - time_limit,
        ),
        S.SUBMITTED.value: Q(status=S.SUBMITTED, submitted_at__lt=now - REVIEW_WAIT),
    }


def stuck_any_q(now: datetime) -> Q:
    combined = Q(pk__in=[])
    for condition in stuck_interviews_q(now).values():
        combined |= condition
    return combined


def light_of(*, failing: bool, attention: bool, has_key: bool) -> str:
    """failing: a delivery gave up lately or lacks valid credentials; attention: deliveries
    are being retried or interviews are stuck (the module's docstring)."""
    if failing:
        return RED
    if attention:
        return AMBER
    return GREEN if has_key else GREY


# --- a page of organizations: annotations the list's column reads ---------------------------


def organizations_with_light(queryset, *, now: datetime | None = None):
    now = now or timezone.now()
    deliveries = Delivery.objects.filter(organization=OuterRef("pk"))
    interviews = Interview.objects.filter(organization=OuterRef("pk"))
    # One EXISTS per condition, each of which an index serves (an OR of them would not).
    stuck = {
        f"health_stuck_{state}": Exists(interviews.filter(condition))
        for state, condition in stuck_interviews_q(now).items()
    }
    return queryset.annotate(
        health_failed=Exists(deliveries.filter(failed_deliveries_q(now))),
        health_credentials=Exists(deliveries.filter(credentials_refused_q())),
        health_retrying=Exists(deliveries.filter(retrying_deliveries_q())),
        health_has_key=Exists(ApiKey.objects.filter(organization=OuterRef("pk"), revoked_at=None)),
        **stuck,
    )


def annotated_light(organization) -> str:
    stuck = any(getattr(organization, f"health_stuck_{state}") for state in STUCK_STATES)
    return light_of(
        failing=organization.health_failed or organization.health_credentials,
        attention=organization.health_retrying or stuck,
        has_key=organization.health_has_key,
    )


# --- every organization: the front page -----------------------------------------------------


@dataclass
class HealthSummary:
    counts: dict[str, int]
    # The red and amber organizations (at most ``shown`` of each), worst first.
    flagged: list[tuple[str, Organization]]


def organizations_by_health(*, shown: int = 10, now: datetime | None = None) -> HealthSummary:
    now = now or timezone.now()

    def organization_ids(queryset) -> set[int]:
        return set(queryset.order_by().values_list("organization_id", flat=True).distinct())

    failing = organization_ids(
        Delivery.objects.filter(failed_deliveries_q(now) | credentials_refused_q())
    )
    attention = organization_ids(Delivery.objects.filter(retrying_deliveries_q()))
    attention |= organization_ids(Interview.objects.filter(stuck_any_q(now)))
    keyed = organization_ids(ApiKey.objects.filter(revoked_at=None))
    organizations = list(Organization.objects.filter(is_active=True).only("id", "name", "slug"))
    counts = dict.fromkeys(LIGHT_LABELS, 0)
    flagged = {RED: [], AMBER: []}
    for organization in organizations:
        light = light_of(
            failing=organization.pk in failing,
            attention=organization.pk in attention,
            has_key=organization.pk in keyed,
        )
        counts[light] += 1
        if light in flagged and len(flagged[light]) < shown:
            flagged[light].append(organization)
    return HealthSummary(
        counts=counts,
        flagged=[(light, org) for light in (RED, AMBER) for org in flagged[light]],
    )


# --- one organization: its health page ------------------------------------------------------


@dataclass
class AtsHealth:
    ats: plugins.AtsAppConfig
    settings_url: str | None
    last_inbound: object | None  # request_log.PartnerRequest
    last_success: Delivery | None
    last_failure: Delivery | None

    @property
    def last_inbound_failed(self) -> bool:
        return self.last_inbound is not None and self.last_inbound.status_code >= 400


@dataclass
class EndpointProblem:
    endpoint: str
    failing_since: datetime
    last_success_at: datetime | None
    attempt: DeliveryAttempt | None
    ats_label: str
    explanation: str
    settings_url: str | None


@dataclass
class OrganizationHealth:
    organization: Organization
    light: str
    reasons: list[str]
    ats: list[AtsHealth]
    endpoints: list[EndpointProblem]
    keys: list[ApiKey]
    stuck: dict[str, int] = field(default_factory=dict)
    # The moment the counts were taken: links to the rows counted filter as of it.
    as_of: datetime = field(default_factory=timezone.now)

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]


def organization_health(organization: Organization) -> OrganizationHealth:
    now = timezone.now()
    deliveries = Delivery.objects.filter(organization=organization)
    interviews = Interview.objects.filter(organization=organization)
    failed = capped_count(deliveries.filter(failed_deliveries_q(now)))
    credentials = capped_count(deliveries.filter(credentials_refused_q()))
    retrying = capped_count(deliveries.filter(retrying_deliveries_q()))
    stuck = {
        state: capped_count(interviews.filter(condition))
        for state, condition in stuck_interviews_q(now).items()
    }
    keys = list(ApiKey.objects.filter(organization=organization).order_by("-created_at")[:20])
    has_key = any(key.revoked_at is None for key in keys)
    reasons = []
    if failed:
        reasons.append(f"{count_shown(failed)} delivery(ies) gave up in the last 24 hours.")
    if credentials:
        reasons.append(f"{count_shown(credentials)} delivery(ies) wait for valid credentials.")
    if retrying:
        reasons.append(f"{count_shown(retrying)} delivery(ies) are being retried.")
    if any(stuck.values()):
        reasons.append(f"{count_shown(sum(stuck.values()))} interview(s) are stuck.")
    if not has_key:
        reasons.append("No active API key: the ATS cannot call MarioHR.")
    light = light_of(
        failing=bool(failed or credentials),
        attention=bool(retrying or any(stuck.values())),
        has_key=has_key,
    )
    return OrganizationHealth(
        organization=organization,
        light=light,
        reasons=reasons,
        ats=ats_health(organization),
        endpoints=endpoint_problems(organization),
        keys=keys,
        stuck=stuck,
        as_of=now,
    )


def last_inbound_by_ats(organization) -> dict:
    """The request log's latest call per ATS; nothing while that app is not installed."""
    if not apps.is_installed("integrations.request_log"):
        return {}
    from .request_log.selectors import last_inbound_by_ats as latest

    return latest(organization)


def ats_health(organization: Organization) -> list[AtsHealth]:
    inbound = last_inbound_by_ats(organization)
    deliveries = Delivery.objects.filter(organization=organization).order_by("-created_at", "-pk")
    found = []
    for ats in plugins.all_ats():
        of_ats = deliveries.filter(interview__source=ats.ats_name)
        last_success = of_ats.filter(status=D.SUCCEEDED).first()
        last_failure = of_ats.filter(status__in=[D.RETRYING, D.FAILED]).first()
        last_inbound = inbound.get(ats.ats_name)
        if last_inbound is None and last_success is None and last_failure is None:
            continue  # an ATS this organization does not use
        found.append(
            AtsHealth(
                ats=ats,
                settings_url=ats.settings_admin_url(organization),
                last_inbound=last_inbound,
                last_success=last_success,
                last_failure=last_failure,
            )
        )
    return found


def endpoint_problems(organization: Organization) -> list[EndpointProblem]:
    problems = []
    for health in endpoints_health(organization_id=organization.pk):
        if health.failing_since is None:
            continue
        attempt = (
            DeliveryAttempt.objects.filter(
                delivery__organization=organization, delivery__endpoint=health.endpoint
            )
            .exclude(outcome=DeliveryAttempt.Outcome.SUCCESS)
            .select_related("delivery__interview")
            .order_by("-attempted_at", "-pk")
            .first()
        )
        ats = _ats_of(attempt.delivery if attempt else None)
        ats_label = ats.ats_label if ats else "The receiver"
        settings_url = ats.settings_admin_url(organization) if ats else None
        problems.append(
            EndpointProblem(
                endpoint=health.endpoint,
                failing_since=health.failing_since,
                last_success_at=health.last_success_at,
                attempt=attempt,
                ats_label=ats_label,
                explanation=failure_explained(
                    ats_label=ats_label,
                    status_code=attempt.status_code if attempt else None,
                    error=attempt.error if attempt else "",
                    credentials_problem=attempt.delivery.credentials_problem if attempt else False,
                ),
                settings_url=settings_url,
            )
        )
    return problems


def _ats_of(delivery: Delivery | None) -> plugins.AtsAppConfig | None:
    if delivery is None or delivery.interview is None:
        return None
    try:
        return plugins.get(delivery.interview.source)
    except LookupError:
        return None  # an admin-made interview, or a plug-in since removed


def failure_explained(
    *, ats_label: str, status_code: int | None, error: str, credentials_problem: bool
) -> str:
    """The latest failure in words an account manager can act on."""
    error = (error or "").strip()
    if status_code is None:
        if credentials_problem:
            return (
                f"Nothing was sent: the credentials for {ats_label} are not set "
                f"({error or 'none configured'}); set them here."
            )
        if error.startswith("Blocked by the SSRF guard"):
            return (
                f"MarioHR refused to call the callback URL: it points to a private or reserved "
                f"address ({error.removeprefix('Blocked by the SSRF guard: ')})."
            )
        if error.startswith("Timed out"):
            return f"{ats_label} did not answer in time; MarioHR retries. ({error})"
        return f"{ats_label} could not be reached: {error or 'no answer'}. MarioHR retries."
    answered = f"{ats_label} answered {status_code}"
    if status_code in (401, 403):
        return f"{answered}: the outbound credentials are wrong; set them here."
    if status_code == 404:
        return (
            f"{answered}: it does not know the callback URL (the application may have been "
            f"deleted or moved in {ats_label})."
        )
    if status_code == 410:
        return f"{answered}: it asked MarioHR to stop sending to this URL."
    if status_code == 429:
        return f"{answered}: too many requests; MarioHR waits as asked and retries."
    if 300 <= status_code < 400:
        return f"{answered}, a redirect: MarioHR does not follow redirects; the URL has moved."
    if 400 <= status_code < 500:
        reason = f" ({error})" if error and error != f"HTTP {status_code}." else ""
        return f"{answered}: it refused what MarioHR sent{reason}."
    if status_code >= 500:
        return f"{answered}: an error on {ats_label}'s side; MarioHR retries."
    return f"{answered} but reported a failure: {error or 'no reason given'}."

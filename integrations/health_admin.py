"""Integration health in the admin: a page per organization, a traffic-light column on the
organization list (both on the Organization admin, through the core admin's extension point:
assessments knows nothing of integrations) and the front page's panels.

The reviewers' queue and stuck-interview panels read assessments only, but the front page is
assembled here so that its four panels share one place and one set of counting rules.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html

from assessments.models import Interview, InterviewToReview, Organization
from mariohr.admin_extensions import admin_extend, front_page_panel

from . import health
from .delivery.models import Delivery
from .models import ApiKey
from .request_log.models import PartnerRequest

S = Interview.Status
# Larger ids cannot be a row (bigint); looking them up would overflow the database's integer.
MAX_ID = 2**63 - 1
STUCK_WORDS = {
    S.SENT.value: "sent, past their expiry, not yet expired by the sweep",
    S.IN_PROGRESS.value: "in progress for more than twice their time limit",
    S.SUBMITTED.value: "submitted more than 2 days ago, not scored",
}
# A "stuck as of" moment further away is no link this admin made (and dates near year 1 or
# 9999 would overflow the rule's arithmetic).
AS_OF_RANGE = timedelta(days=366)


# --- links that open exactly the rows a count counted ---------------------------------------


def changelist_url(model, **params) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def health_url(organization: Organization) -> str:
    return reverse("admin:assessments_organization_health", args=[organization.pk])


class StuckFilter(admin.SimpleListFilter):
    """The interview list's "stuck in a state" filter: the health rule
    (health.stuck_interviews_q) as of a moment. The health page and the front page link here
    with the moment they counted at, so a link opens exactly the interviews its count
    counted; chosen in the sidebar, it is as of now."""

    title = "stuck in a state"
    parameter_name = "stuck"
    as_of_parameter = "stuck_as_of"

    def __init__(self, request, params, model, model_admin):
        given = params.pop(self.as_of_parameter, None)
        super().__init__(request, params, model, model_admin)
        self.as_of = None
        if given is not None:
            value = given[-1] if isinstance(given, list) else given
            self.used_parameters[self.as_of_parameter] = value
            self.as_of = as_of_parsed(value)

    def expected_parameters(self):
        return [self.parameter_name, self.as_of_parameter]

    def lookups(self, request, model_admin):
        return list(STUCK_WORDS.items())

    def queryset(self, request, queryset):
        state = self.value()
        if state is None:
            return queryset
        rules = health.stuck_interviews_q(self.as_of or timezone.now())
        if state not in rules:
            raise IncorrectLookupParameters(f"No such stuck state: {state!r}.")
        return queryset.filter(rules[state])


def as_of_parsed(value: str) -> datetime:
    """An ISO 8601 moment (UTC when it names no offset); IncorrectLookupParameters, which the
    changelist answers with its "invalid filter" page, when it is none or out of range."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise IncorrectLookupParameters(f"{StuckFilter.as_of_parameter} is not a date and time.")
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    if abs(moment - timezone.now()) > AS_OF_RANGE:
        raise IncorrectLookupParameters(f"{StuckFilter.as_of_parameter} is out of range.")
    return moment


def stuck_url(state: str, *, as_of: datetime, organization: Organization | None = None) -> str:
    params = {"status__exact": state}
    if organization is not None:
        params["organization__id__exact"] = organization.pk
    params[StuckFilter.parameter_name] = state
    params[StuckFilter.as_of_parameter] = as_of.isoformat()
    return changelist_url(Interview, **params)


def stuck_rows(
    counts: dict[str, int], *, as_of: datetime, organization: Organization | None = None
) -> list[tuple[str, str, str]]:
    """(words, count shown, link) per stuck state: the front page's panel and the health
    page's list are the same rows."""
    return [
        (
            STUCK_WORDS[state],
            health.count_shown(count),
            stuck_url(state, as_of=as_of, organization=organization),
        )
        for state, count in counts.items()
    ]


# --- the Organization admin -----------------------------------------------------------------


def health_urls(model_admin) -> list:
    admin_view = model_admin.admin_site.admin_view
    view = admin_view(lambda request, object_id: health_view(model_admin, request, object_id))
    return [
        path("<int:object_id>/health/", view, name="assessments_organization_health"),
        # Without this, Django's catch-all "<path:object_id>/" would redirect any other id.
        path("<path:object_id>/health/", admin_view(_no_such_organization)),
    ]


def _no_such_organization(request, object_id):
    raise Http404("No organization has this id.")


def health_view(model_admin, request, object_id: int):
    # Checked before the lookup, so that no one learns which ids exist.
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    if object_id > MAX_ID:
        raise Http404("No organization has this id.")
    organization = get_object_or_404(Organization, pk=object_id)
    found = health.organization_health(organization)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Organization._meta,
        "original": organization,
        "title": f"Integration health · {organization.name}",
        "health": found,
        "stuck_panel": {
            "rows": stuck_rows(found.stuck, as_of=found.as_of, organization=organization)
        },
        # Each section shows rows of another model: only to who may view that model's list
        # (the summary's counts are for everyone who may view the organization).
        "may_view_deliveries": _may_view(model_admin, request, Delivery),
        "may_view_keys": _may_view(model_admin, request, ApiKey),
        "may_view_requests": _may_view(model_admin, request, PartnerRequest),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "admin/integrations/organization_health.html", context)


def _may_view(model_admin, request, model) -> bool:
    other = model_admin.admin_site._registry.get(model)
    return other is not None and other.has_view_or_change_permission(request)


def with_health_light(request, queryset):
    return health.organizations_with_light(queryset)


@admin.display(description="integration health")
def traffic_light(organization):
    light = health.annotated_light(organization)
    return format_html(
        '<a class="health-light health-{}" href="{}">{}</a>',
        light,
        health_url(organization),
        health.LIGHT_LABELS[light],
    )


@admin.display(description="integration health")
def health_page_link(organization):
    if organization is None or organization.pk is None:
        return "Shown once the organization is saved."
    return format_html(
        '<a href="{}">Open the integration health page</a>', health_url(organization)
    )


admin_extend(
    Organization,
    list_display=[traffic_light],
    queryset=[with_health_light],
    urls=[health_urls],
    readonly_fields=[health_page_link],
)
admin_extend(Interview, list_filter=[StuckFilter])


# --- the front page -------------------------------------------------------------------------


def organizations_panel(request) -> dict:
    summary = health.organizations_by_health()
    return {
        "counts": [
            (light, health.LIGHT_LABELS[light], summary.counts[light])
            for light in (health.RED, health.AMBER, health.GREY, health.GREEN)
        ],
        "flagged": [
            {
                "light": light,
                "label": health.LIGHT_LABELS[light],
                "organization": organization,
                "url": health_url(organization),
            }
            for light, organization in summary.flagged
        ],
        "list_url": changelist_url(Organization),
    }


def review_queue_panel(request) -> dict:
    queue = Interview.objects.filter(status=S.SUBMITTED)
    # The queue's partial index, oldest first: the same read as the list's first row.
    oldest = queue.select_related("candidate", "test").order_by("submitted_at", "pk").first()
    waiting = health.capped_count(queue)
    return {
        "waiting": health.count_shown(waiting),
        "oldest": oldest,
        "oldest_age": timezone.now() - oldest.submitted_at if oldest else None,
        "list_url": changelist_url(InterviewToReview),
        "oldest_url": reverse("admin:assessments_interview_score", args=[oldest.pk])
        if oldest
        else None,
    }


def failing_deliveries_panel(request) -> dict:
    now = timezone.now()
    retrying = Delivery.objects.filter(health.retrying_deliveries_q())
    failed = Delivery.objects.filter(health.failed_deliveries_q(now))
    # The links filter as the counts do: "gave up in the last 24 hours", not every failure.
    failed_since = (now - health.FAILED_WINDOW).isoformat()
    rows = [
        ("being retried", retrying, {"status__exact": Delivery.Status.RETRYING}),
        (
            "gave up in the last 24 hours",
            failed,
            {"status__exact": Delivery.Status.FAILED, "next_attempt_at__gte": failed_since},
        ),
    ]
    counts = [health.capped_count(queryset) for _, queryset, _ in rows]
    return {
        "rows": [
            (label, health.count_shown(count), changelist_url(Delivery, **params))
            for (label, _, params), count in zip(rows, counts, strict=True)
        ],
        "failing": any(counts),
        "failures_url": reverse("admin:delivery_failures"),
    }


def stuck_interviews_panel(request) -> dict:
    now = timezone.now()
    counts = {
        state: health.capped_count(Interview.objects.filter(condition))
        for state, condition in health.stuck_interviews_q(now).items()
    }
    return {"rows": stuck_rows(counts, as_of=now), "stuck": any(counts.values())}


front_page_panel(
    key="organizations_by_health",
    title="Organizations by integration health",
    template="admin/console/organizations_panel.html",
    build=organizations_panel,
    models=[Organization],
    order=10,
)
front_page_panel(
    key="review_queue",
    title="Reviewers' queue",
    template="admin/console/review_queue_panel.html",
    build=review_queue_panel,
    models=[InterviewToReview],
    order=20,
)
front_page_panel(
    key="failing_deliveries",
    title="Failing deliveries",
    template="admin/console/failing_deliveries_panel.html",
    build=failing_deliveries_panel,
    models=[Delivery],
    order=30,
)
front_page_panel(
    key="stuck_interviews",
    title="Interviews stuck in a state",
    template="admin/console/stuck_interviews_panel.html",
    build=stuck_interviews_panel,
    models=[Interview],
    order=40,
)

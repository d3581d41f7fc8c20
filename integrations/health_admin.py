"""Integration health in the admin: a page per organization, a traffic-light column on the
organization list (both on the Organization admin, through the core admin's extension point:
assessments knows nothing of integrations) and the front page's panels.

The reviewers' queue and stuck-interview panels read assessments only, but the front page is
assembled here so that its four panels share one place and one set of counting rules.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from assessments.models import Interview, InterviewToReview, Organization
from mariohr.admin_extensions import admin_extend, front_page_panel

from . import health
from .delivery.models import Delivery

S = Interview.Status
# Larger ids cannot be a row (bigint); looking them up would overflow the database's integer.
MAX_ID = 2**63 - 1


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
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Organization._meta,
        "original": organization,
        "title": f"Integration health · {organization.name}",
        "health": health.organization_health(organization),
        "stuck_links": stuck_links(organization),
        "may_view_deliveries": _may_view(model_admin, request, Delivery),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "admin/integrations/organization_health.html", context)


def _may_view(model_admin, request, model) -> bool:
    other = model_admin.admin_site._registry.get(model)
    return other is not None and other.has_view_or_change_permission(request)


def stuck_links(organization: Organization) -> dict[str, str]:
    interviews = reverse("admin:assessments_interview_changelist")
    return {
        state: f"{interviews}?status__exact={state}&organization__id__exact={organization.pk}"
        for state in health.stuck_interviews_q(timezone.now())
    }


def with_health_light(request, queryset):
    return health.organizations_with_light(queryset)


@admin.display(description="integration health")
def traffic_light(organization):
    light = health.annotated_light(organization)
    url = reverse("admin:assessments_organization_health", args=[organization.pk])
    return format_html(
        '<a class="health-light health-{}" href="{}">{}</a>',
        light,
        url,
        health.LIGHT_LABELS[light],
    )


@admin.display(description="integration health")
def health_page_link(organization):
    if organization is None or organization.pk is None:
        return "Shown once the organization is saved."
    url = reverse("admin:assessments_organization_health", args=[organization.pk])
    return format_html('<a href="{}">Open the integration health page</a>', url)


admin_extend(
    Organization,
    list_display=[traffic_light],
    queryset=[with_health_light],
    urls=[health_urls],
    readonly_fields=[health_page_link],
)


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
                "url": reverse("admin:assessments_organization_health", args=[organization.pk]),
            }
            for light, organization in summary.flagged
        ],
        "list_url": reverse("admin:assessments_organization_changelist"),
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
        "list_url": reverse("admin:assessments_interviewtoreview_changelist"),
        "oldest_url": reverse("admin:assessments_interview_score", args=[oldest.pk])
        if oldest
        else None,
    }


def failing_deliveries_panel(request) -> dict:
    now = timezone.now()
    deliveries = reverse("admin:delivery_delivery_changelist")
    retrying = health.capped_count(Delivery.objects.filter(health.retrying_deliveries_q()))
    failed = health.capped_count(Delivery.objects.filter(health.failed_deliveries_q(now)))
    return {
        "rows": [
            ("being retried", health.count_shown(retrying), f"{deliveries}?status__exact=retrying"),
            (
                "gave up in the last 24 hours",
                health.count_shown(failed),
                f"{deliveries}?status__exact=failed",
            ),
        ],
        "failing": bool(retrying or failed),
        "failures_url": reverse("admin:delivery_failures"),
    }


STUCK_WORDS = {
    S.SENT.value: "sent, past their expiry, not yet expired by the sweep",
    S.IN_PROGRESS.value: "in progress for more than twice their time limit",
    S.SUBMITTED.value: "submitted more than 2 days ago, not scored",
}


def stuck_interviews_panel(request) -> dict:
    interviews = reverse("admin:assessments_interview_changelist")
    rows = []
    for state, condition in health.stuck_interviews_q(timezone.now()).items():
        count = health.capped_count(Interview.objects.filter(condition))
        rows.append(
            (STUCK_WORDS[state], health.count_shown(count), f"{interviews}?status__exact={state}")
        )
    return {"rows": rows, "stuck": any(count != "0" for _, count, _ in rows)}


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

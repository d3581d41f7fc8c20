"""Admin for deliveries, and the delivery parts of the Interview admin.

assessments must not import integrations, so the Interview admin gains its deliveries inline
and its Submit results / Resend actions here, through the core admin's extension point.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timesince import timesince

from assessments.models import Interview
from assessments.sources import source_label
from mariohr.admin_extensions import admin_extend
from mariohr.admin_paging import LargeTableAdminMixin

from . import kinds
from .models import Delivery, DeliveryAttempt
from .selectors import delivery_search, failing_endpoints_recent, recent_failures_by_organization
from .services import (
    DeliveryNotPossible,
    delivery_replay,
    delivery_retry_now,
    delivery_submit_results,
)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = [
        "number",
        "attempted_at",
        "status_code",
        "outcome",
        "duration_ms",
        "error",
        "response_excerpt",
        "request_id",
    ]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


class KindFilter(admin.SimpleListFilter):
    # Django's filter for a field without choices lists them with SELECT DISTINCT over every
    # row; the registered kinds are the same list without reading the table.
    title = "kind"
    parameter_name = "kind__exact"

    def lookups(self, request, model_admin):
        return [(name, name) for name in kinds.registered()]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Delivery)
class DeliveryAdmin(LargeTableAdminMixin, admin.ModelAdmin):
    # What people scan, narrow enough for 1280 px beside both sidebars (status, candidate,
    # test, ATS, age); the organization and kind are filters, the rest is on the change page.
    list_display = ["status_shown", "candidate", "test", "ats", "age"]
    list_filter = ["status", "organization", "created_at", KindFilter, "credentials_problem"]
    # A request id (X-Request-ID) finds the deliveries it caused and those it re-queued.
    search_fields = [
        "webhook_id",
        "target_url",
        "interview__partner_interview_id",
        "=request_id",
        "=attempts__request_id",
    ]
    search_help_text = (
        "Webhook id, request id or target URL (exact), or what finds the interview: its "
        "partner id, the candidate's e-mail or last name (starts with)."
    )
    date_hierarchy = "created_at"
    list_select_related = ["interview__candidate", "interview__test"]
    readonly_fields = [f.name for f in Delivery._meta.fields if f.name != "lease_token"]
    exclude = ["lease_token"]
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now", "replay"]

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        # Django's own search is icontains over joined tables: a full scan at a million rows.
        return delivery_search(queryset, search_term), False

    @admin.display(description="status", ordering="status")
    def status_shown(self, delivery):
        # The first column links to the delivery. Its webhook id (what receivers log) is cut
        # to fit 1280 px: whole in the tooltip, and the search finds it.
        code = delivery.last_status_code
        answer = f"HTTP {code}" if code else "no HTTP answer" if delivery.attempt_count else ""
        return format_html(
            '{}<div class="quiet">{}</div><div class="quiet" title="{}">{}…</div>',
            delivery.get_status_display(),
            answer,
            delivery.webhook_id,
            delivery.webhook_id[:12],
        )

    @admin.display(description="candidate", ordering="interview__candidate__last_name")
    def candidate(self, delivery):
        if delivery.interview_id is None:
            return "-"
        url = reverse("admin:assessments_interview_change", args=[delivery.interview_id])
        return format_html('<a href="{}">{}</a>', url, delivery.interview.candidate.display_name)

    @admin.display(description="test", ordering="interview__test__name")
    def test(self, delivery):
        return delivery.interview.test.name if delivery.interview_id else "-"

    @admin.display(description="ATS", ordering="interview__source")
    def ats(self, delivery):
        return source_label(delivery.interview.source) if delivery.interview_id else "-"

    @admin.display(description="age", ordering="-created_at")
    def age(self, delivery):
        return timesince(delivery.created_at, depth=1)

    @admin.action(description="Retry now (same message, same webhook-id)", permissions=["change"])
    def retry_now(self, request, queryset):
        retried = 0
        with transaction.atomic():
            for delivery in queryset:
                if delivery_retry_now(delivery=delivery):
                    self.log_change(request, delivery, "Retried now (same message).")
                    retried += 1
        self.message_user(request, f"{retried} delivery(ies) will be attempted now.")
        if skipped := queryset.count() - retried:
            self.message_user(
                request, f"{skipped} already succeeded: use Replay.", messages.WARNING
            )

    @admin.action(description="Replay (new message with current data)", permissions=["change"])
    def replay(self, request, queryset):
        replays = []
        with transaction.atomic():
            for delivery in queryset:
                replays.append(delivery_replay(delivery=delivery))
                self.log_change(request, delivery, f"Replayed as {replays[-1].webhook_id}.")
        self.message_user(request, f"Queued {len(replays)} replay(s).", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        # The messages would otherwise wait for the next page of someone refused this one.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        for endpoint in failing_endpoints_recent():
            self.message_user(
                request,
                f"{endpoint.organization_name}: {endpoint.endpoint} has been failing since "
                f"{endpoint.failing_since:%Y-%m-%d %H:%M} UTC.",
                messages.ERROR,
            )
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        failures = path(
            "failures/",
            self.admin_site.admin_view(self.failures_view),
            name="delivery_failures",
        )
        return [failures, *super().get_urls()]

    def failures_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Recent delivery failures by organization",
            "opts": self.model._meta,
            "organizations": recent_failures_by_organization(),
        }
        return TemplateResponse(request, "admin/delivery/failures.html", context)


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["webhook_link", "kind", "status", "attempt_count", "last_status_code", "created_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="delivery")
    def webhook_link(self, delivery):
        url = reverse("admin:delivery_delivery_change", args=[delivery.pk])
        return format_html('<a href="{}">{}</a>', url, delivery.webhook_id)


@admin.action(
    description="Submit results (send the current data to the ATS)", permissions=["change"]
)
def submit_results(modeladmin, request, queryset):
    _submit(modeladmin, request, queryset, resend=False)


@admin.action(
    description="Resend the latest delivery (new message, current data)", permissions=["change"]
)
def resend_results(modeladmin, request, queryset):
    _submit(modeladmin, request, queryset, resend=True)


def _submit(modeladmin, request, queryset, *, resend: bool):
    queued, refused = 0, []
    for interview in queryset:
        latest = interview.deliveries.order_by("-created_at", "-pk").first() if resend else None
        try:
            with transaction.atomic():
                if latest is not None:
                    sent = delivery_replay(delivery=latest)
                    done = f"Resent delivery {latest.webhook_id} as {sent.webhook_id}."
                else:
                    sent = delivery_submit_results(interview=interview)
                    done = f"Submitted results to the ATS ({sent.webhook_id})."
                modeladmin.log_change(request, interview, done)
            queued += 1
        except DeliveryNotPossible as exc:
            refused.append(str(exc))
    if queued:
        modeladmin.message_user(request, f"Queued results for {queued} interview(s).")
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)


admin_extend(Interview, inlines=[DeliveryInline], actions=[submit_results, resend_results])

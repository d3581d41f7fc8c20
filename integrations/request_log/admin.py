"""The request log in the admin: read-only for everyone (rows are evidence; beat purges them),
searchable by request id, endpoint and organization, and linked from the Interview and the
Delivery admins (through the core admin's extension point: assessments and delivery know
nothing of this app)."""

import json
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from assessments.models import Interview
from mariohr.admin_extensions import admin_extend
from mariohr.admin_paging import LargeTableAdminMixin
from mariohr.admin_readonly import ReadOnlyAdminMixin

from .. import plugins
from ..delivery.models import Delivery
from .models import PartnerRequest


class AtsFilter(admin.SimpleListFilter):
    # The installed plug-ins, without a SELECT DISTINCT over the whole log.
    title = "ATS"
    parameter_name = "ats"

    def lookups(self, request, model_admin):
        return [(ats.ats_name, ats.ats_label) for ats in plugins.all_ats()]

    def queryset(self, request, queryset):
        return queryset.filter(ats=self.value()) if self.value() else queryset


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"
    classes = {"2xx": (200, 300), "4xx": (400, 500), "5xx": (500, 600)}

    def lookups(self, request, model_admin):
        return [(name, name) for name in self.classes]

    def queryset(self, request, queryset):
        if self.value() not in self.classes:
            return queryset
        low, high = self.classes[self.value()]
        return queryset.filter(status_code__gte=low, status_code__lt=high)


@admin.register(PartnerRequest)
class PartnerRequestAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "ats",
        "endpoint",
        "method",
        "status_code",
        "latency_ms",
        "organization",
        "interview_link",
        "request_id",
    ]
    list_filter = [AtsFilter, StatusFilter, "created_at"]
    # Exact matches read an index; a request id or an endpoint is pasted whole.
    search_fields = ["=request_id", "=endpoint", "organization__name", "=organization__slug"]
    search_help_text = "A request id, an endpoint (e.g. greenhouse-send-test) or an organization."
    date_hierarchy = "created_at"
    list_select_related = ["organization", "interview"]
    fields = [
        "created_at",
        "organization",
        "ats",
        "endpoint",
        "method",
        "path",
        "status_code",
        "latency_ms",
        "request_id",
        "interview_link",
        "query_shown",
        "request_shown",
        "response_shown",
    ]
    readonly_fields = fields

    @admin.display(description="interview")
    def interview_link(self, row):
        if row.interview_id is None:
            return "-"
        url = reverse("admin:assessments_interview_change", args=[row.interview_id])
        return format_html('<a href="{}">{}</a>', url, row.interview.partner_interview_id)

    @admin.display(description="query")
    def query_shown(self, row):
        return pretty(row.query)

    @admin.display(description="request body")
    def request_shown(self, row):
        return pretty(row.request_body)

    @admin.display(description="response body")
    def response_shown(self, row):
        return pretty(row.response_body)


def pretty(data):
    if data in (None, {}):
        return "-"
    return format_html("<pre>{}</pre>", json.dumps(data, indent=2, ensure_ascii=False))


def log_url(**filters) -> str:
    return reverse("admin:request_log_partnerrequest_changelist") + "?" + urlencode(filters)


@admin.display(description="partner API requests")
def interview_requests_link(interview):
    if interview.pk is None:
        return "-"
    return format_html(
        '<a href="{}">The ATS\'s calls about this interview</a>', log_url(interview=interview.pk)
    )


@admin.display(description="partner API request")
def delivery_request_link(delivery):
    request_id = getattr(delivery, "request_id", "")
    if not request_id:
        return "-"
    return format_html(
        '<a href="{}">The call that caused it ({})</a>', log_url(request_id=request_id), request_id
    )


admin_extend(Interview, readonly_fields=[interview_requests_link])
admin_extend(Delivery, readonly_fields=[delivery_request_link])

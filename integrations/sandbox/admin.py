"""Sandboxes and what their receiver got; "Create sandbox twin" on the organization list."""

import json

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from assessments.models import Organization
from mariohr.admin_extensions import admin_extend

from .models import ReceivedCallback, Sandbox
from .receiver import receiver_http_url, receiver_url
from .services import SandboxNotPossible, sandbox_twin_create


def _pretty_json(value) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))


class ReceivedCallbackInline(admin.TabularInline):
    model = ReceivedCallback
    fields = ["received_at", "method", "path", "signature_verified", "answered_status", "view"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ["-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("body", "body_text", "headers")

    @admin.display(description="")
    def view(self, obj):
        url = reverse("admin:sandbox_receivedcallback_change", args=[obj.pk])
        return format_html('<a href="{}">body and headers</a>', url)


@admin.register(Sandbox)
class SandboxAdmin(admin.ModelAdmin):
    list_display = ["organization", "twin_of", "callbacks", "created_at"]
    list_select_related = ["organization", "twin_of"]
    search_fields = ["organization__name", "organization__slug"]
    fields = ["organization", "twin_of", "callback_url", "http_url", "created_at"]
    readonly_fields = fields
    inlines = [ReceivedCallbackInline]

    def has_add_permission(self, request):
        return False  # "Create sandbox twin" on the organization list makes them

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(callback_count=Count("received"))

    @admin.display(description="callbacks received", ordering="callback_count")
    def callbacks(self, obj):
        url = reverse("admin:sandbox_receivedcallback_changelist")
        return format_html(
            '<a href="{}?sandbox__id__exact={}">{}</a>', url, obj.pk, obj.callback_count
        )

    @admin.display(description="callback URL for MarioHR")
    def callback_url(self, obj):
        return format_html(
            "<code>{}</code><div class='help'>Give it, plus any path, as the callback URL the "
            "ATS names (Greenhouse's url, Workable's callback_url, Teamtailor's update-url), "
            "or as the base URL in this sandbox's Ashby or Recruitee settings. Add "
            "?answer_status=401 (or any status) to see how MarioHR handles a failure.</div>",
            receiver_url(obj),
        )

    @admin.display(description="receiver over HTTP")
    def http_url(self, obj):
        return format_html("<code>{}</code>", receiver_http_url(obj))


@admin.register(ReceivedCallback)
class ReceivedCallbackAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "sandbox",
        "method",
        "path",
        "signature_verified",
        "answered_status",
        "in_process",
    ]
    list_filter = ["signature_verified", "method", "sandbox"]
    list_select_related = ["sandbox__organization"]
    search_fields = ["path", "webhook_id"]
    fields = [
        "sandbox",
        "received_at",
        "method",
        "path",
        "webhook_id",
        "signature_verified",
        "signature_problem",
        "answered_status",
        "in_process",
        "headers_shown",
        "body_shown",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="headers (secrets redacted)")
    def headers_shown(self, obj):
        return _pretty_json(obj.headers)

    @admin.display(description="body")
    def body_shown(self, obj):
        if obj.body is None:
            return format_html("<pre>{}</pre>", obj.body_text)
        return _pretty_json(obj.body)


@admin.action(description="Create sandbox twin", permissions=["change"])
def create_sandbox_twin(modeladmin, request, queryset):
    for organization in queryset:
        try:
            created = sandbox_twin_create(organization=organization)
        except SandboxNotPossible as exc:
            modeladmin.message_user(request, f"{organization}: {exc}", messages.ERROR)
            continue
        twin = created.sandbox.organization
        set_up = " ".join(created.configured) or "Every ATS was set up already."
        if not created.created:
            if created.configured:
                modeladmin.log_change(request, twin, f"Set up for the receiver: {set_up}")
            modeladmin.message_user(
                request,
                f"{organization}: its sandbox {twin.slug} exists already; no new API key (issue "
                f"one under API keys). {set_up}",
                messages.INFO,
            )
            continue
        modeladmin.log_addition(request, twin, f"Created as the sandbox twin of {organization}.")
        modeladmin.log_change(request, organization, f"Created the sandbox twin {twin.slug}.")
        modeladmin.message_user(
            request,
            f"Sandbox {twin.slug} created. API key: {created.raw_key} — copy it now, it is "
            f"shown only once. Callback URL: {receiver_url(created.sandbox)} {set_up}",
            messages.WARNING,
        )


admin_extend(Organization, actions=[create_sandbox_twin])

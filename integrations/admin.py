from django import forms
from django.contrib import admin, messages
from django.urls import path

from . import credentials
from .keys import api_key_issue, api_key_revoke
from .models import ApiKey, ErrorReport, IntegrationSettings
from .sandbox.admin_views import test_callback_page


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "organization", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["organization", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "organization__name", "organization__slug"]
    fields = ["organization", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        issued, raw_key = api_key_issue(organization=obj.organization, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash = issued.pk, issued.prefix, issued.key_hash
        obj.created_at = issued.created_at
        self.message_user(
            request,
            f"New API key for {obj.organization}: {raw_key} — copy it now, it is shown only once.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_keys(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at=None):
            api_key_revoke(api_key=api_key)
            self.log_change(request, api_key, "Revoked the key.")
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["received_at", "organization", "api_call", "partner_interview_id"]
    list_filter = ["organization", "api_call", "received_at"]
    search_fields = ["partner_interview_id", "candidate_email", "partner_test_id"]
    readonly_fields = [f.name for f in ErrorReport._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class IntegrationSettingsForm(forms.ModelForm):
    rotate_webhook_secret = forms.BooleanField(
        required=False, help_text="Receivers must be given the new secret."
    )

    class Meta:
        model = IntegrationSettings
        fields = ["organization"]


@admin.register(IntegrationSettings)
class IntegrationSettingsAdmin(admin.ModelAdmin):
    form = IntegrationSettingsForm
    list_display = ["organization", "updated_at"]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["webhook_signing_secret", "updated_at"]
    # Adds the "Send a test callback" button (integrations/sandbox/callback_trial.py).
    change_form_template = "admin/integrations/integrationsettings/change_form.html"

    def get_urls(self):
        test_callback = path(
            "<path:object_id>/test-callback/",
            self.admin_site.admin_view(self.test_callback_view),
            name="integrations_integrationsettings_test_callback",
        )
        return [test_callback, *super().get_urls()]

    def test_callback_view(self, request, object_id):
        return test_callback_page(self, request, object_id)

    def get_readonly_fields(self, request, obj=None):
        shown = [*self.readonly_fields, "organization"] if obj else self.readonly_fields
        if not self.has_change_permission(request, obj):
            # The signing secret is a credential: only for those who may change the settings.
            shown = [field for field in shown if field != "webhook_signing_secret"]
        return shown

    @admin.display(description="webhook signing secret")
    def webhook_signing_secret(self, obj):
        # Shown so the customer can verify our Standard Webhooks signatures.
        if obj is None or obj.pk is None:
            return "Created when the settings are saved."
        return credentials.webhook_secret_get(organization=obj.organization)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.save()
        if data.get("rotate_webhook_secret"):
            credentials.webhook_secret_rotate(organization=obj.organization)
            self.message_user(request, "New webhook signing secret created.", messages.WARNING)
        else:
            credentials.webhook_secret_get(organization=obj.organization)
        obj.refresh_from_db()


# Integration health: the Organization admin's health page and column, the front page's panels.
from . import health_admin  # noqa: E402, F401

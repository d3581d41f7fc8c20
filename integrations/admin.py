from django import forms
from django.contrib import admin, messages

from . import credentials
from .admin_secrets import secret_field, secret_set_flag
from .keys import api_key_issue, api_key_revoke
from .models import ApiKey, ErrorReport, IntegrationSettings


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
    outbound_username = secret_field(
        "The ATS's Basic auth username, or its API key.", max_length=300
    )
    clear_outbound_credentials = forms.BooleanField(
        required=False, help_text="Remove the username and password: PATCHes go unauthenticated."
    )
    outbound_password = secret_field("", strip=False)
    clear_outbound_password = forms.BooleanField(
        required=False, help_text="Use the username alone (a key as username, empty password)."
    )
    rotate_webhook_secret = forms.BooleanField(
        required=False, help_text="Receivers must be given the new secret."
    )

    class Meta:
        model = IntegrationSettings
        fields = ["organization"]

    def clean_outbound_username(self):
        username = self.cleaned_data["outbound_username"]
        if ":" in username:
            raise forms.ValidationError("Basic auth usernames cannot contain ':'.")
        return username


@admin.register(IntegrationSettings)
class IntegrationSettingsAdmin(admin.ModelAdmin):
    form = IntegrationSettingsForm
    list_display = [
        "organization",
        "has_username",
        "has_password",
        "updated_at",
    ]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["webhook_signing_secret", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        shown = [*self.readonly_fields, "organization"] if obj else self.readonly_fields
        if not self.has_change_permission(request, obj):
            # The signing secret is a credential: only for those who may change the settings.
            shown = [field for field in shown if field != "webhook_signing_secret"]
        return shown

    has_username = secret_set_flag("outbound_username_encrypted", "username set")
    has_password = secret_set_flag("outbound_password_encrypted", "password set")

    @admin.display(description="webhook signing secret")
    def webhook_signing_secret(self, obj):
        # Shown so the customer can verify our Standard Webhooks signatures.
        if obj is None or obj.pk is None:
            return "Created when the settings are saved."
        return credentials.webhook_secret_get(organization=obj.organization)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.save()
        kept = credentials.outbound_credentials_get(organization=obj.organization) or ("", "")
        username = data.get("outbound_username") or kept[0]
        password = data.get("outbound_password") or ""
        if not password and not data.get("clear_outbound_password"):
            password = kept[1]
        if data.get("clear_outbound_credentials"):
            username = password = ""
        credentials.outbound_credentials_set(
            organization=obj.organization, username=username, password=password
        )
        if data.get("rotate_webhook_secret"):
            credentials.webhook_secret_rotate(organization=obj.organization)
            self.message_user(request, "New webhook signing secret created.", messages.WARNING)
        else:
            credentials.webhook_secret_get(organization=obj.organization)
        obj.refresh_from_db()

from django.contrib import admin

from ..admin_secrets import (
    SecretSettingsAdminMixin,
    SecretSettingsForm,
    clear_field,
    field_checked,
    secret_field,
    secret_set_flag,
)
from .models import TeamtailorSettings
from .services import MAX_SECRET_LENGTH, base_url_check, teamtailor_settings_set


class TeamtailorSettingsForm(SecretSettingsForm):
    secret_columns = {"api_key": "api_key_encrypted", "webhook_secret": "webhook_secret_encrypted"}
    api_key = secret_field(
        "The partner API key from Teamtailor's Integrations hub (sent with result updates; "
        "checks the provider keys Teamtailor signs).",
        max_length=MAX_SECRET_LENGTH,
    )
    clear_api_key = clear_field("Remove the API key.")
    webhook_secret = secret_field(
        "The webhook secret from the Integrations hub: when set, every webhook must carry a "
        "valid Teamtailor-Signature.",
        max_length=MAX_SECRET_LENGTH,
    )
    clear_webhook_secret = clear_field(
        "Remove the webhook secret (signatures are then not checked)."
    )

    class Meta:
        model = TeamtailorSettings
        fields = [
            "organization",
            "region",
            "custom_base_url",
            "top_fit_percent",
            "might_be_fit_percent",
        ]

    def clean_custom_base_url(self):
        return field_checked(
            self.cleaned_data.get("custom_base_url") or "", base_url_check, prefix="The base URL "
        )

    def clean(self):
        data = super().clean()
        if data.get("region") == TeamtailorSettings.Region.CUSTOM and not data.get(
            "custom_base_url"
        ):
            self.add_error("custom_base_url", "A custom region needs a base URL.")
        return data


@admin.register(TeamtailorSettings)
class TeamtailorSettingsAdmin(SecretSettingsAdminMixin, admin.ModelAdmin):
    form = TeamtailorSettingsForm
    list_display = ["organization", "region", "has_api_key", "has_webhook_secret", "updated_at"]
    list_filter = ["region"]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["updated_at"]
    secret_flags = ("has_api_key", "has_webhook_secret")
    has_api_key = secret_set_flag("api_key_encrypted", "API key set")
    has_webhook_secret = secret_set_flag("webhook_secret_encrypted", "webhook secret set")

    def secrets_save(self, obj, changes):
        # Called even with no change: the service checks the region's base URL too.
        teamtailor_settings_set(
            organization=obj.organization,
            api_key=changes.get("api_key"),
            webhook_secret=changes.get("webhook_secret"),
        )

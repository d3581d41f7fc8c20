from django import forms
from django.contrib import admin

from integrations.admin_secrets import (
    SecretSettingsAdminMixin,
    SecretSettingsForm,
    secret_field,
    secret_set_flag,
)
from integrations.ssrf import UnsafeURL

from .models import AshbySettings
from .services import ashby_base_url_check, ashby_credentials_set


class AshbySettingsForm(SecretSettingsForm):
    secret_columns = {"api_key": "api_key_encrypted"}
    api_key = secret_field(
        "The customer's Ashby API key (candidatesWrite permission), for assessment.update."
    )

    class Meta:
        model = AshbySettings
        fields = ["organization", "base_url"]

    def clean_base_url(self):
        organization = self.cleaned_data.get("organization") or getattr(
            self.instance, "organization", None
        )
        try:
            return ashby_base_url_check(self.cleaned_data["base_url"], organization=organization)
        except UnsafeURL as exc:
            raise forms.ValidationError(f"The Ashby base URL {exc}") from None

    def clean_api_key(self):
        api_key = self.cleaned_data["api_key"]
        if ":" in api_key:
            raise forms.ValidationError("Ashby API keys cannot contain ':'.")
        return api_key


@admin.register(AshbySettings)
class AshbySettingsAdmin(SecretSettingsAdminMixin, admin.ModelAdmin):
    form = AshbySettingsForm
    list_display = ["organization", "has_api_key", "base_url", "updated_at"]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["updated_at"]
    secret_flags = ("has_api_key",)
    has_api_key = secret_set_flag("api_key_encrypted", "API key set")

    def secrets_save(self, obj, changes):
        if changes.get("api_key"):
            ashby_credentials_set(
                organization=obj.organization, api_key=changes["api_key"], base_url=obj.base_url
            )

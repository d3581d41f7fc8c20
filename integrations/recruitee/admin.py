from django import forms
from django.contrib import admin

from integrations.admin_secrets import (
    SecretSettingsAdminMixin,
    SecretSettingsForm,
    clear_field,
    field_checked,
    secret_field,
    secret_set_flag,
)

from . import conf
from .models import RecruiteeSettings
from .services import api_base_check, recruitee_settings_set


class RecruiteeSettingsForm(SecretSettingsForm):
    secret_columns = {"partner_secret": "partner_secret_encrypted"}
    partner_secret = secret_field(
        "Only for an organization served by its own Recruitee partner registration (or RC): "
        "its RT-PARTNER-SECRET; with none, the deployment's secret is used.",
        max_length=500,
    )
    clear_partner_secret = clear_field("Remove this organization's secret: use the deployment's.")

    class Meta:
        model = RecruiteeSettings
        fields = ["organization", "company_id", "api_base_url", "codename"]

    def clean_api_base_url(self):
        organization = self.cleaned_data.get("organization")
        if organization is None and self.instance.organization_id:
            organization = self.instance.organization
        return field_checked(
            self.cleaned_data["api_base_url"],
            lambda url: api_base_check(url, organization=organization),
            prefix="The API base URL ",
        )

    def clean_partner_secret(self):
        secret = self.cleaned_data["partner_secret"]
        if any(ord(ch) < 32 for ch in secret):
            raise forms.ValidationError("The secret cannot contain control characters.")
        return secret


@admin.register(RecruiteeSettings)
class RecruiteeSettingsAdmin(SecretSettingsAdminMixin, admin.ModelAdmin):
    form = RecruiteeSettingsForm
    list_display = ["organization", "company_id", "api_base", "has_own_secret", "updated_at"]
    search_fields = ["organization__name", "organization__slug"]
    list_select_related = ["organization"]
    readonly_fields = ["updated_at"]
    secret_flags = ("has_own_secret",)
    has_own_secret = secret_set_flag("partner_secret_encrypted", "own secret set")

    @admin.display(description="API base")
    def api_base(self, obj):
        return obj.api_base_url or f"{conf.api_base()} (deployment)"

    def secrets_save(self, obj, changes):
        if "partner_secret" in changes:
            recruitee_settings_set(
                organization=obj.organization, partner_secret=changes["partner_secret"]
            )

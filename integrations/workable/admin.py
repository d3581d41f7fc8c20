from django.contrib import admin

from ..admin_secrets import (
    SecretSettingsAdminMixin,
    SecretSettingsForm,
    clear_field,
    field_checked,
    secret_field,
    secret_set_flag,
)
from .credentials import (
    callback_domain_clean,
    grades_check,
    results_token_clean,
    workable_settings_update,
)
from .models import WorkableSettings


class WorkableSettingsForm(SecretSettingsForm):
    secret_columns = {"results_token": "results_token_encrypted"}
    results_token = secret_field(
        "The token Workable gave when the customer connected MarioHR, sent as Bearer on the "
        "results PUT."
    )
    clear_results_token = clear_field(
        "Remove the token: results are not sent until a new one is set."
    )

    class Meta:
        model = WorkableSettings
        fields = ["organization", "callback_domain", "pass_percent", "excel_percent"]

    def clean_callback_domain(self):
        return field_checked(self.cleaned_data["callback_domain"], callback_domain_clean)

    def clean_results_token(self):
        return field_checked(self.cleaned_data.get("results_token") or "", results_token_clean)

    def clean(self):
        cleaned = super().clean()
        pass_percent, excel_percent = cleaned.get("pass_percent"), cleaned.get("excel_percent")
        if pass_percent is not None and excel_percent is not None:
            try:
                grades_check(pass_percent, excel_percent)
            except ValueError as exc:
                self.add_error("excel_percent", str(exc))
        return cleaned


@admin.register(WorkableSettings)
class WorkableSettingsAdmin(SecretSettingsAdminMixin, admin.ModelAdmin):
    form = WorkableSettingsForm
    list_display = ["organization", "has_token", "callback_domain", "updated_at"]
    search_fields = ["organization__name", "organization__slug", "callback_domain"]
    list_select_related = ["organization"]
    readonly_fields = ["has_token", "updated_at"]
    secret_flags = ("has_token",)
    has_token = secret_set_flag("results_token_encrypted", "Workable token set")

    def secrets_save(self, obj, changes):
        workable_settings_update(
            organization=obj.organization,
            results_token=changes.get("results_token") or None,
            clear_results_token=changes.get("results_token") == "",
        )

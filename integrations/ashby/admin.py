from django import forms
from django.contrib import admin

from integrations.ssrf import UnsafeURL, check_url

from .models import AshbySettings
from .services import ashby_credentials_set


class AshbySettingsForm(forms.ModelForm):
    api_key = forms.CharField(
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="The customer's Ashby API key (candidatesWrite permission), for "
        "assessment.update. Stored encrypted. Leave empty to keep the current one.",
    )

    class Meta:
        model = AshbySettings
        fields = ["organization", "base_url"]

    def clean_base_url(self):
        base_url = self.cleaned_data["base_url"].rstrip("/")
        try:
            check_url(base_url + "/assessment.update", require_resolution=False)
        except UnsafeURL as exc:
            raise forms.ValidationError(f"The Ashby base URL {exc}") from None
        return base_url

    def clean_api_key(self):
        api_key = self.cleaned_data["api_key"]
        if ":" in api_key:
            raise forms.ValidationError("Ashby API keys cannot contain ':'.")
        return api_key


@admin.register(AshbySettings)
class AshbySettingsAdmin(admin.ModelAdmin):
    form = AshbySettingsForm
    list_display = ["organization", "has_api_key", "base_url", "updated_at"]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "organization"] if obj else self.readonly_fields

    @admin.display(boolean=True, description="API key set")
    def has_api_key(self, obj):
        return bool(obj.api_key_encrypted)

    def save_model(self, request, obj, form, change):
        obj.save()
        if form.cleaned_data.get("api_key"):
            ashby_credentials_set(
                organization=obj.organization,
                api_key=form.cleaned_data["api_key"],
                base_url=obj.base_url,
            )
            obj.refresh_from_db()

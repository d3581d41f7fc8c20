from django import forms
from django.contrib import admin

from integrations.admin_secrets import (
    SecretSettingsAdminMixin,
    SecretSettingsForm,
    clear_field,
    secret_field,
    secret_set_flag,
)

from .credentials import outbound_credentials_get, outbound_credentials_set
from .models import GreenhouseSettings


class GreenhouseSettingsForm(SecretSettingsForm):
    secret_columns = {"username": "username_encrypted", "password": "password_encrypted"}
    username = secret_field(
        "The Basic auth username the customer's ATS expects on the results PATCH, or its API key.",
        max_length=300,
    )
    clear_username = clear_field("Remove the username and password: PATCHes go unauthenticated.")
    password = secret_field("", strip=False)
    clear_password = clear_field("Use the username alone (a key as username, empty password).")

    class Meta:
        model = GreenhouseSettings
        fields = ["organization"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if ":" in username:
            raise forms.ValidationError("Basic auth usernames cannot contain ':'.")
        return username


@admin.register(GreenhouseSettings)
class GreenhouseSettingsAdmin(SecretSettingsAdminMixin, admin.ModelAdmin):
    form = GreenhouseSettingsForm
    list_display = ["organization", "has_username", "has_password", "updated_at"]
    search_fields = ["organization__name", "organization__slug"]
    readonly_fields = ["updated_at"]
    secret_flags = ("has_username", "has_password")
    has_username = secret_set_flag("username_encrypted", "username set")
    has_password = secret_set_flag("password_encrypted", "password set")

    def secrets_save(self, obj, changes):
        if not changes:
            return
        username, password = outbound_credentials_get(organization=obj.organization) or ("", "")
        username = changes.get("username", username)
        password = changes.get("password", password)
        if changes.get("username") == "":
            # Clearing the username clears the pair: a password alone authenticates nothing.
            username = password = ""
        outbound_credentials_set(
            organization=obj.organization, username=username, password=password
        )

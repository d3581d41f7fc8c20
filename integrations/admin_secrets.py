"""Admin pieces for per-organization settings that hold write-only secrets.

A secret is typed into a password box, stored encrypted, never rendered back (not even as
dots or ciphertext); an empty box keeps the stored one and a ``clear_<field>`` checkbox, where
the form declares one, removes it. Staff who may only view see whether a secret is set, never
a field for it. Each plug-in declares its secrets on the form and writes them through its
own service, so the admin is one more caller of the rules every other writer obeys.
"""

from django import forms
from django.contrib import admin

KEEP_HINT = "Stored encrypted. Leave empty to keep the current one."


def secret_field(help_text: str, *, max_length: int | None = None, strip: bool = True):
    """A write-only text box for a secret."""
    return forms.CharField(
        required=False,
        strip=strip,
        max_length=max_length,
        widget=forms.PasswordInput(render_value=False),
        help_text=f"{help_text} {KEEP_HINT}".strip(),
    )


def field_checked(value: str, check, *, prefix: str = "") -> str:
    """A settings field through the plug-in's own check (the one its service applies): an
    empty value stays empty, the check's ValueError (UnsafeURL is one) is the field's error."""
    if not value:
        return ""
    try:
        return check(value)
    except ValueError as problem:
        raise forms.ValidationError(f"{prefix}{problem}") from None


def clear_field(help_text: str) -> forms.BooleanField:
    return forms.BooleanField(required=False, help_text=help_text)


def secret_set_flag(column: str, description: str):
    """An admin column (and read-only field) saying whether ``column`` holds a secret."""

    @admin.display(boolean=True, description=description)
    def is_set(model_admin, obj):
        return bool(obj and getattr(obj, column))

    return is_set


class SecretSettingsForm(forms.ModelForm):
    """``secret_columns`` maps each secret form field to the encrypted column behind it."""

    secret_columns: dict[str, str] = {}

    @classmethod
    def secret_form_fields(cls) -> set[str]:
        """The boxes and clear checkboxes a view-only user must not be given."""
        names = set(cls.secret_columns)
        return names | {f"clear_{name}" for name in names if f"clear_{name}" in cls.base_fields}

    def secret_changes(self) -> dict[str, str]:
        """The secrets to write: a new value, or "" to clear; a secret not named is kept."""
        changes = {}
        for name in self.secret_columns:
            if self.cleaned_data.get(f"clear_{name}"):
                changes[name] = ""
            elif self.cleaned_data.get(name):
                changes[name] = self.cleaned_data[name]
        return changes


class SecretSettingsAdminMixin:
    """For a ModelAdmin whose ``form`` is a SecretSettingsForm of a model with a one-to-one
    ``organization``: the organization is fixed once saved, view-only staff get the
    ``secret_flags`` (names of secret_set_flag attributes) instead of the secret fields, and
    the secrets are saved by ``secrets_save``, which a plug-in implements with its service."""

    secret_flags: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.has_change_permission(request, obj):
            hidden = self.form.secret_form_fields()
            fields = [field for field in fields if field not in hidden]
            fields += [flag for flag in self.secret_flags if flag not in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        shown = [*self.readonly_fields, "organization"] if obj else [*self.readonly_fields]
        if not self.has_change_permission(request, obj):
            shown += [flag for flag in self.secret_flags if flag not in shown]
        return shown

    def save_model(self, request, obj, form, change):
        obj.save()
        self.secrets_save(obj, form.secret_changes())
        obj.refresh_from_db()

    def secrets_save(self, obj, changes: dict[str, str]) -> None:
        """Write ``changes`` (see SecretSettingsForm.secret_changes) for obj.organization."""
        raise NotImplementedError

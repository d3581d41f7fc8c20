"""Admin pieces for the hiring team's candidate policy (on the organization's page) and the
notices sent to a candidate (on the interview's page)."""

from django import forms
from django.contrib import admin

from .hiring_models import CandidateNotice, CandidatePolicy
from .reminders import reminder_days_clean
from .review_admin import ReadOnlyInline

# A hundred years. Far more, and "now - days" falls before year 1: the hourly purge and the
# report's "deleted on" date would raise OverflowError.
RETENTION_DAYS_MAX = 36_500


class ReminderDaysField(forms.CharField):
    """The reminder days as "7, 1" in the form, a list of integers in the JSON column."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise forms.ValidationError("Enter whole numbers of days, for example 3 or 7, 1.")
        return reminder_days_clean([int(part) for part in parts])


class CandidatePolicyForm(forms.ModelForm):
    reminder_days_before = ReminderDaysField(
        required=False,
        max_length=20,
        label="Reminder days before expiry",
        help_text="At most two, e.g. 3 or 7, 1. Empty: no reminders.",
    )
    recording_retention_days = forms.IntegerField(
        min_value=0,
        max_value=RETENTION_DAYS_MAX,
        initial=90,
        help_text=CandidatePolicy._meta.get_field("recording_retention_days").help_text,
    )
    personal_data_retention_days = forms.IntegerField(
        min_value=0,
        max_value=RETENTION_DAYS_MAX,
        initial=365,
        help_text=CandidatePolicy._meta.get_field("personal_data_retention_days").help_text,
    )

    class Meta:
        model = CandidatePolicy
        fields = [
            "reminders_enabled",
            "reminder_days_before",
            "contact_name",
            "contact_email",
            "recording_retention_days",
            "personal_data_retention_days",
        ]


class CandidatePolicyInline(admin.StackedInline):
    """Without a row the defaults apply: a reminder 3 days before expiry, no contact."""

    model = CandidatePolicy
    form = CandidatePolicyForm
    max_num = 1
    extra = 0
    can_delete = True
    verbose_name_plural = "candidate policy (defaults apply without one)"

    def has_add_permission(self, request, obj=None):
        # The policy is one settings row of the organization: whoever may change policies
        # may write the first one (the defaults it replaces are a policy too).
        return super().has_add_permission(request, obj) or self.has_change_permission(request, obj)


class CandidateNoticeInline(ReadOnlyInline):
    model = CandidateNotice
    fields = readonly_fields = ["kind", "slot", "deadline", "created_at", "sent_at"]
    verbose_name_plural = "reminders and expiry notice"

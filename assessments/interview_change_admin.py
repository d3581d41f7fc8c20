"""Interview admin actions for extend, extra time, reopen and retake.

Each action first shows a page asking for the reason and the days or minutes (like Django's
delete confirmation), then calls the service in ``interview_changes`` for every selected
interview. Only staff with the change permission are offered them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from . import interview_changes as changes
from .models import InterviewAttempt
from .review_admin import ReadOnlyInline

# Refusals shown one by one; beyond this many only the count.
REFUSALS_SHOWN = 5


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=changes.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept in the interview's history with your name.",
    )


def days_field(help_text: str) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1, max_value=changes.DAYS_MAX, initial=7, help_text=help_text
    )


class DaysForm(ReasonForm):
    days = days_field("The new deadline is this many days from now.")


class ExtendForm(ReasonForm):
    days = days_field("Added to the current deadline (to now if it has passed).")


class MinutesForm(ReasonForm):
    minutes = forms.IntegerField(
        min_value=1,
        max_value=changes.MINUTES_MAX,
        initial=15,
        help_text="Added to the candidate's current deadline; their page shows it at once.",
    )


# action name: (title, form, service, amount field, history message)
CHANGES = {
    "extend_invitations": (
        "Extend the invitation deadline",
        ExtendForm,
        changes.interview_invitation_extend,
        "days",
        "Extended the invitation deadline by {days} day(s): {reason}",
    ),
    "add_time": (
        "Give extra minutes to a candidate taking the test",
        MinutesForm,
        changes.interview_time_add,
        "minutes",
        "Added {minutes} minute(s) to the test: {reason}",
    ),
    "reopen_interviews": (
        "Reopen an expired test with a new deadline",
        DaysForm,
        changes.interview_reopen,
        "days",
        "Reopened the test, deadline {days} day(s) from now: {reason}",
    ),
    "retake_interviews": (
        "Start a retake (new attempt, new candidate link)",
        DaysForm,
        changes.interview_retake,
        "days",
        "Started a retake, deadline {days} day(s) from now: {reason}",
    ),
}


def _run(model_admin, request, queryset, action: str):
    title, form_class, service, amount, logged = CHANGES[action]
    form = form_class(request.POST if "confirm" in request.POST else None)
    if not form.is_valid():
        return TemplateResponse(
            request,
            "admin/assessments/interview_change_confirm.html",
            {
                **model_admin.admin_site.each_context(request),
                "title": title,
                "opts": model_admin.model._meta,
                "form": form,
                "action": action,
                "interviews": queryset.select_related("candidate", "test"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )
    values = form.cleaned_data
    done, refused = 0, []
    for interview in queryset:
        try:
            service(
                interview=interview,
                by=request.user,
                reason=values["reason"],
                **{amount: values[amount]},
            )
        except changes.ChangeRefused as refusal:
            refused.append(str(refusal))
            continue
        model_admin.log_change(request, interview, logged.format(**values))
        done += 1
    if done:
        model_admin.message_user(request, f"{title}: done for {done} interview(s).")
    for message in refused[:REFUSALS_SHOWN]:
        model_admin.message_user(request, message, messages.ERROR)
    if len(refused) > REFUSALS_SHOWN:
        model_admin.message_user(
            request, f"{len(refused) - REFUSALS_SHOWN} more refused.", messages.ERROR
        )
    return None


class InterviewChangeActions:
    """Mixed into the Interview admin; list the names in its ``actions``."""

    @admin.action(description=CHANGES["extend_invitations"][0], permissions=["change"])
    def extend_invitations(self, request, queryset):
        return _run(self, request, queryset, "extend_invitations")

    @admin.action(description=CHANGES["add_time"][0], permissions=["change"])
    def add_time(self, request, queryset):
        return _run(self, request, queryset, "add_time")

    @admin.action(description=CHANGES["reopen_interviews"][0], permissions=["change"])
    def reopen_interviews(self, request, queryset):
        return _run(self, request, queryset, "reopen_interviews")

    @admin.action(description=CHANGES["retake_interviews"][0], permissions=["change"])
    def retake_interviews(self, request, queryset):
        return _run(self, request, queryset, "retake_interviews")


CHANGE_ACTIONS = list(CHANGES)


class InterviewAttemptInline(ReadOnlyInline):
    """Earlier attempts of a retaken interview (the report shows their answers)."""

    model = InterviewAttempt
    fields = readonly_fields = [
        "number",
        "status",
        "started_at",
        "submitted_at",
        "score",
        "archived_at",
        "archived_by",
        "reason",
    ]

from django import forms
from django.contrib import admin, messages
from django.utils.timesince import timesince

from mariohr.admin_paging import LargeTableAdminMixin

from . import policy_admin, review_admin, selectors, services
from .admin_columns import InterviewColumns
from .feedback_admin import InterviewAccommodationAdmin
from .interview_change_admin import (
    CHANGE_ACTIONS,
    InterviewAttemptInline,
    InterviewChangeActions,
)
from .models import (
    Candidate,
    Choice,
    EnvironmentField,
    Interview,
    Organization,
    Question,
    RubricCriterion,
    Test,
)
from .privacy.admin import CandidatePrivacyActions
from .reports import environment_value_is_secret
from .sources import source_choices

SECRET_SHOWN = "••• (secret, hidden)"


def value_is_secret(field: EnvironmentField) -> bool:
    return environment_value_is_secret(label=field.label, is_secret=field.is_secret)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [policy_admin.CandidatePolicyInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.organization_enable_default_tests(organization=obj)


class EnvironmentFieldForm(forms.ModelForm):
    value = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="May contain {interview}. Secret values: leave blank to keep the stored one.",
    )

    class Meta:
        model = EnvironmentField
        fields = ["position", "label", "value", "is_secret", "generate"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A stored secret is never sent back to the browser.
        self.value_hidden = bool(self.instance.pk) and value_is_secret(self.instance)
        if self.instance.pk and not self.value_hidden:
            self.initial["value"] = self.instance.value

    def save(self, commit=True):
        field = super().save(commit=False)
        typed = self.cleaned_data.get("value", "")
        was_secret = bool(self.instance.pk) and "is_secret" in self.changed_data
        if typed or not (field.is_secret or self.value_hidden):
            field.value = typed
        elif was_secret:
            # Secrecy changed with no new value: re-store the old value in the new form.
            old = EnvironmentField.objects.get(pk=field.pk)
            field.value = old.value
        if commit:
            field.save()
        return field


class EnvironmentFieldInline(admin.TabularInline):
    model = EnvironmentField
    form = EnvironmentFieldForm
    extra = 0

    # Named like the form field on purpose: rows the user may not change are rendered
    # read-only, and Django reads a read-only "value" from the admin before the model's
    # (decrypting) property. Editable rows keep the form field.
    @admin.display(description="value")
    def value(self, obj):
        return SECRET_SHOWN if value_is_secret(obj) else obj.value


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ["position", "title", "max_points", "guidance"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "kind", "prompt", "points", "accepted_answers"]
    show_change_link = True  # choices are edited on the question's own page


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 2
    fields = ["position", "text", "is_correct"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "test", "kind", "points"]
    list_filter = ["test", "kind"]
    inlines = [ChoiceInline]


@admin.register(Test)
class TestAdmin(admin.ModelAdmin):
    list_display = ["name", "partner_test_id", "kind", "time_limit_minutes", "is_active"]
    list_filter = ["kind", "is_active", "enabled_by_default"]
    search_fields = ["name", "partner_test_id", "description"]
    filter_horizontal = ["organizations"]
    inlines = [EnvironmentFieldInline, RubricCriterionInline, QuestionInline]

    def get_readonly_fields(self, request, obj=None):
        # The ATS stores partner_test_id; changing it would orphan every sent test.
        return ["partner_test_id", "created_at"] if obj else ["created_at"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.test_max_score_sync(test=form.instance)


@admin.register(Candidate)
class CandidateAdmin(CandidatePrivacyActions, admin.ModelAdmin):
    list_display = ["__str__", "organization", "ats_candidate_id", "created_at"]
    list_filter = ["organization"]
    search_fields = ["first_name", "last_name", "preferred_name", "email", "ats_candidate_id"]
    readonly_fields = ["created_at"]


class SourceFilter(admin.SimpleListFilter):
    """The registered sources, without a DISTINCT over the whole interview table."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return source_choices()

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(Interview)
class InterviewAdmin(
    InterviewAccommodationAdmin,
    InterviewChangeActions,
    InterviewColumns,
    LargeTableAdminMixin,
    admin.ModelAdmin,
):
    # What people scan, narrow enough for 1280 px beside both sidebars: names without
    # e-mails or ids (the search finds those), the age instead of a timestamp; the
    # organization is a filter (a column of it would not fit).
    list_display = ["candidate_name", "test_name", "source_shown", "status", "age", "score"]
    list_filter = ["status", SourceFilter, "organization", "test", "sent_at"]
    # Shown under the search box; the search itself is selectors.interview_search (indexed).
    search_fields = [
        "partner_interview_id",
        "candidate__email",
        "candidate__last_name",
        "callback_url",
        "sent_by",
    ]
    search_help_text = (
        "Partner interview id or callback URL (exact); candidate e-mail or last name, or "
        f"sender e-mail (starts with, {selectors.SEARCH_PREFIX_MIN}+ characters)."
    )
    date_hierarchy = "sent_at"
    list_select_related = ["candidate", "test"]  # the columns; the organization is a filter
    readonly_fields = [
        "partner_interview_id",
        "organization",
        "test",
        "candidate",
        "source",
        "callback_url",
        "sent_by",
        "ats_data",
        "status",
        "sent_at",
        "started_at",
        "submitted_at",
        "completed_at",
        "scored_at",
        "expires_at",
        "cancelled_at",
        "status_changed_at",
        "score",
        "max_score",
        "scored_by",
        "metadata",
    ]
    actions = ["cancel_interviews", "resend_invitations", "copy_candidate_links", *CHANGE_ACTIONS]
    inlines = [
        *review_admin.INTERVIEW_INLINES,
        policy_admin.CandidateNoticeInline,
        InterviewAttemptInline,
    ]

    def has_add_permission(self, request):
        # Interviews are created by an ATS through the partner API.
        return False

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "scoring_link"] if review_admin.may_score(request.user) else shown

    def get_urls(self):
        return review_admin.scoring_urls(self) + super().get_urls()

    def get_search_results(self, request, queryset, search_term):
        # Django's own search is icontains over joined tables: a full scan at a million rows.
        return selectors.interview_search(queryset, search_term), False

    @admin.display(description="age", ordering="-sent_at")
    def age(self, obj):
        return timesince(obj.sent_at, depth=1)

    @admin.display(description="Scoring")
    def scoring_link(self, obj):
        return review_admin.scoring_link(obj)

    @admin.action(description="Resend invitation email", permissions=["change"])
    def resend_invitations(self, request, queryset):
        sent = 0
        for interview in queryset:
            if services.interview_invitation_resend(interview=interview):
                self.log_change(request, interview, "Resent the invitation email.")
                sent += 1
        self.message_user(request, f"Invitation sent again to {sent} candidate(s).")
        if sent < len(queryset):
            self.message_user(
                request,
                f"{len(queryset) - sent} skipped: the test is already finished.",
                messages.WARNING,
            )

    @admin.action(description="Copy candidate link", permissions=["change"])
    def copy_candidate_links(self, request, queryset):
        # A candidate link is a credential: shown in a message to copy from, never stored or
        # logged; the history records only who looked at it.
        for interview in queryset.select_related("candidate"):
            self.log_change(request, interview, "Copied the candidate link.")
            self.message_user(
                request,
                f"{interview.candidate}: {services.candidate_link(interview)}",
                messages.INFO if interview.is_live else messages.WARNING,
            )

    @admin.action(
        description="Cancel selected interviews (the candidate link stops working)",
        permissions=["change"],
    )
    def cancel_interviews(self, request, queryset):
        cancelled = skipped = 0
        for interview in queryset:
            was_cancelled = interview.status == Interview.Status.CANCELLED
            try:
                services.interview_cancel(interview=interview)
            except services.IllegalTransition:
                skipped += 1
                continue
            if not was_cancelled:
                self.log_change(request, interview, "Cancelled the interview.")
            cancelled += 1
        self.message_user(request, f"Cancelled {cancelled} interview(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} could not be cancelled (already finished).", messages.WARNING
            )

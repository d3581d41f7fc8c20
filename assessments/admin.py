from django.contrib import admin, messages

from . import services
from .models import Candidate, Interview, Organization, Test


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            services.organization_enable_default_tests(organization=obj)


@admin.register(Test)
class TestAdmin(admin.ModelAdmin):
    list_display = ["name", "partner_test_id", "kind", "time_limit_minutes", "is_active"]
    list_filter = ["kind", "is_active", "enabled_by_default"]
    search_fields = ["name", "partner_test_id", "description"]
    filter_horizontal = ["organizations"]

    def get_readonly_fields(self, request, obj=None):
        # The ATS stores partner_test_id; changing it would orphan every sent test.
        return ["partner_test_id", "created_at"] if obj else ["created_at"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "ats_candidate_id", "created_at"]
    list_filter = ["organization"]
    search_fields = ["first_name", "last_name", "preferred_name", "email", "ats_candidate_id"]
    readonly_fields = ["created_at"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = [
        "partner_interview_id",
        "candidate",
        "test",
        "organization",
        "source",
        "status",
        "score",
        "sent_at",
    ]
    list_filter = ["status", "source", "organization", "test", "sent_at"]
    search_fields = [
        "partner_interview_id",
        "candidate__email",
        "candidate__last_name",
        "callback_url",
        "sent_by",
    ]
    date_hierarchy = "sent_at"
    list_select_related = ["candidate", "test", "organization"]
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
        "metadata",
    ]
    actions = ["cancel_interviews"]

    def has_add_permission(self, request):
        # Interviews are created by an ATS through the partner API.
        return False

    @admin.action(description="Cancel selected interviews (the candidate link stops working)")
    def cancel_interviews(self, request, queryset):
        cancelled = skipped = 0
        for interview in queryset:
            try:
                services.interview_cancel(interview=interview)
                cancelled += 1
            except services.IllegalTransition:
                skipped += 1
        self.message_user(request, f"Cancelled {cancelled} interview(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} could not be cancelled (already finished).", messages.WARNING
            )

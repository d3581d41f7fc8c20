"""The admin of what candidates tell us and what they are given: the candidate feedback list
(read-only, with a per-test summary) and the accommodation fields of the interview page.

Feedback is for the account manager: the Reviewer group has no permission on it, and no
scoring page, "To review" list or report shows it.
"""

from django.contrib import admin, messages
from django.template.defaultfilters import truncatechars

from mariohr.admin_readonly import ReadOnlyAdminMixin

from . import accommodations
from .feedback import feedback_summary
from .models import CandidateFeedback

ACCOMMODATION_FIELDS = ("extra_time_percent", "extra_time_minutes", "accommodation_note")
ORGANIZATION_FILTER = "interview__organization__id__exact"


@admin.register(CandidateFeedback)
class CandidateFeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["test_name", "organization_name", "rating", "comment_excerpt", "created_at"]
    list_filter = ["interview__test", "interview__organization", "rating", "created_at"]
    list_select_related = ["interview__test", "interview__organization"]
    search_fields = ["comment"]
    fields = readonly_fields = ["interview", "rating", "comment", "created_at"]
    ordering = ["-created_at", "-id"]
    change_list_template = "admin/assessments/candidatefeedback/change_list.html"
    actions = None

    @admin.display(description="test", ordering="interview__test__name")
    def test_name(self, obj):
        return obj.interview.test.name

    @admin.display(description="organization", ordering="interview__organization__name")
    def organization_name(self, obj):
        return obj.interview.organization.name

    @admin.display(description="comment")
    def comment_excerpt(self, obj):
        return truncatechars(obj.comment, 120) or "–"

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            # The summary follows the list's filters: per test, what the rows shown add up to.
            organization = request.GET.get(ORGANIZATION_FILTER, "")
            context["feedback_summary"] = feedback_summary(
                context["cl"].queryset,
                # isdigit() alone passes "²", which int() refuses.
                organization_id=int(organization)
                if organization.isascii() and organization.isdigit()
                else None,
            )
        return response


class InterviewAccommodationAdmin:
    """Mixin for the interview admin: extra time and its note are edited on the interview's
    page, but saved through ``accommodation_set`` (locked row, moved deadline, event)."""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        # The note may describe a condition: only who may change the interview reads it
        # (reviewers see the interview, not why it has extra time).
        if not self.has_change_permission(request, obj):
            fields = [name for name in fields if name != "accommodation_note"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not obj.is_live:
            readonly += [name for name in ACCOMMODATION_FIELDS if name not in readonly]
        return readonly

    def save_model(self, request, obj, form, change):
        changed = set(form.changed_data)
        if not change or not changed & set(ACCOMMODATION_FIELDS):
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        try:
            accommodations.accommodation_set(
                interview=obj,
                percent=data["extra_time_percent"],
                minutes=data["extra_time_minutes"],
                note=data["accommodation_note"],
                by=request.user,
            )
        except (accommodations.AccommodationRefused, accommodations.FieldInvalid) as refused:
            # The test finished while the form was open: nothing was changed.
            self.message_user(request, f"Extra time not set: {refused}", messages.ERROR)
        others = [name for name in changed - set(ACCOMMODATION_FIELDS) if name in form.fields]
        if others:
            # Not obj.save(): the service moved expires_at, which obj still has the old value of.
            obj.save(update_fields=others)
        return None

"""The columns people scan in every interview list (interviews, to review): who, which test,
which ATS. A mixin so both changelists show them the same way."""

from django.contrib import admin

from .sources import source_label


class InterviewColumns:
    @admin.display(description="candidate", ordering="candidate__last_name")
    def candidate_name(self, obj):
        return obj.candidate.display_name

    @admin.display(description="test", ordering="test__name")
    def test_name(self, obj):
        return obj.test.name

    @admin.display(description="ATS", ordering="source")
    def source_shown(self, obj):
        return source_label(obj.source)

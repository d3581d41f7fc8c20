"""admin → Log entries: the history every admin action writes, across all objects.

Read-only for everyone, superusers included: a history that can be edited proves nothing.
Shown to superusers and to staff with *Can view log entry*.
"""

from django.contrib import admin

from .admin_paging import LargeTableAdminMixin
from .admin_readonly import ReadOnlyAdminMixin


class LogEntryAdmin(ReadOnlyAdminMixin, LargeTableAdminMixin, admin.ModelAdmin):
    list_display = [
        "action_time",
        "user",
        "content_type",
        "object_repr",
        "action_flag",
        "change_message_shown",
    ]
    list_filter = ["action_flag", "content_type", "action_time"]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr", "user__username"]
    actions = None

    @admin.display(description="change message")
    def change_message_shown(self, obj):
        # The stored message is JSON; this is the sentence the History page shows.
        return obj.get_change_message()

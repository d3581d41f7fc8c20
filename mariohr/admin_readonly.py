"""Admins that only show rows: evidence and logs nobody adds, edits or deletes by hand."""


class ReadOnlyAdminMixin:
    """Put before ``admin.ModelAdmin``: view permission still decides who sees the rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

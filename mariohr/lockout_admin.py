"""django-axes (admin sign-in lockout) in the admin, under the same permission rules as ours.

axes registers its sign-in attempts with a "Clean up expired attempts" action that declares
no permission and writes no history, so anyone who may only look at the list could run it.
This app config keeps axes's admin but without that action: axes already removes expired
attempts at every sign-in, and "Delete selected" (delete permission, logged) remains.
"""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin
        from axes.models import AccessAttempt
        from django.contrib import admin

        class AccessAttemptWithoutCleanupAdmin(AccessAttemptAdmin):
            actions = []

        # The admin's autodiscovery (the first app's ready()) has registered axes's class.
        if admin.site.is_registered(AccessAttempt):
            admin.site.unregister(AccessAttempt)
            admin.site.register(AccessAttempt, AccessAttemptWithoutCleanupAdmin)

"""django-axes (admin sign-in lockout) in the admin, under the same permission rules as ours.

axes registers its sign-in attempts with a "Clean up expired attempts" action that declares
no permission and writes no history, so anyone who may only look at the list could run it.
This app config keeps axes's admin but without that action: axes already removes expired
attempts at every sign-in, and "Delete selected" (delete permission, logged) remains.
Its three lists answer an impossible date drill-down like ours (mariohr/admin_bounds.py).
"""

from axes.apps import AppConfig


class AxesConfig(AppConfig):
    def ready(self):
        super().ready()
        from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.contrib import admin

        from .admin_bounds import BoundedDatesAdminMixin

        class AccessAttemptWithoutCleanupAdmin(BoundedDatesAdminMixin, AccessAttemptAdmin):
            actions = []

        class BoundedAccessLogAdmin(BoundedDatesAdminMixin, AccessLogAdmin):
            pass

        class BoundedAccessFailureLogAdmin(BoundedDatesAdminMixin, AccessFailureLogAdmin):
            pass

        admins = {
            AccessAttempt: AccessAttemptWithoutCleanupAdmin,
            AccessLog: BoundedAccessLogAdmin,
            AccessFailureLog: BoundedAccessFailureLogAdmin,
        }
        # The admin's autodiscovery (the first app's ready()) has registered axes's classes.
        for model, model_admin in admins.items():
            if admin.site.is_registered(model):
                admin.site.unregister(model)
                admin.site.register(model, model_admin)

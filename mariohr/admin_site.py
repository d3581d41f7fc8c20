"""The admin site: Django's, branded MarioHR, with a front page that leads with the day's work
(panels the apps add through mariohr.admin_extensions.front_page_panel) and action selections
checked before a query sees them.

Django filters ``pk__in=<_selected_action values>`` and a non-number there escapes as a
ValueError (a 500). Every registered model here has an integer primary key.
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest


def _is_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


class MarioHRAdminSite(admin.AdminSite):
    site_header = "MarioHR administration"
    site_title = "MarioHR admin"
    index_title = "MarioHR: today"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.front_page_panels = {}

    def index(self, request, extra_context=None):
        panels = [
            {"key": panel.key, "title": panel.title, "template": panel.template, **data}
            for panel in sorted(self.front_page_panels.values(), key=lambda p: p.order)
            if self._may_view_all(request, panel.models)
            and (data := panel.build(request)) is not None
        ]
        return super().index(request, {"front_page_panels": panels, **(extra_context or {})})

    def _may_view_all(self, request, models) -> bool:
        for model in models:
            model_admin = self._registry.get(model)
            if model_admin is None or not model_admin.has_view_or_change_permission(request):
                return False
        return True

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def checked(request, *args, **kwargs):
            if request.method == "POST" and not all(
                _is_id(value) for value in request.POST.getlist(ACTION_CHECKBOX_NAME)
            ):
                raise BadRequest("The selected ids must be whole numbers.")
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)


class AdminConfig(DjangoAdminConfig):
    default_site = "mariohr.admin_site.MarioHRAdminSite"

    def ready(self):
        super().ready()
        from django.contrib.admin.models import LogEntry

        from . import checks  # noqa: F401  (registers the project's system checks)
        from .admin_log import LogEntryAdmin

        admin.site.register(LogEntry, LogEntryAdmin)

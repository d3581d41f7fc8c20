"""The admin site: Django's, with action selections checked before a query sees them.

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

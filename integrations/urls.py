"""/api/<ats_name>/ for every installed ATS plug-in: adding an ATS edits no URL file."""

from django.urls import include, path

from .plugins import all_ats

urlpatterns = [path(f"{ats.ats_name}/", include(ats.urls_module)) for ats in all_ats()]

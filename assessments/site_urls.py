"""Pages at the site's root: reports, the legacy report links, health, home."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/<str:report_token>", views.report, name="report"),
    # Links the ATS stored before report tokens; redirects for those interviews only.
    path("api/report/<str:partner_interview_id>", views.report_legacy, name="report-legacy"),
    path("healthz", views.healthz, name="healthz"),
    path("", views.home, name="home"),
]

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from assessments import views as assessment_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/greenhouse/", include("integrations.greenhouse.urls")),
    path("api/ashby/", include("integrations.ashby.urls")),
    path("recordings/", include("assessments.recordings.urls")),
    path("t/", include("assessments.urls")),
    path("reports/<str:report_token>", assessment_views.report, name="report"),
    # Links the ATS stored before report tokens; redirects for those interviews only.
    path(
        "api/report/<str:partner_interview_id>",
        assessment_views.report_legacy,
        name="report-legacy",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("healthz", assessment_views.healthz, name="healthz"),
    path("", assessment_views.home, name="home"),
]

handler400 = "mariohr.error_views.bad_request"
handler404 = "mariohr.error_views.not_found"
handler500 = "mariohr.error_views.server_error"

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import metrics_export, ops

# Apps are included by name: the project imports no app's internals.
urlpatterns = [
    path("admin/", admin.site.urls),
    # /healthz (liveness, no dependency) is the site's; these two are the operator's.
    path("readyz", ops.readyz, name="readyz"),
    path("metrics", metrics_export.metrics, name="metrics"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("integrations.urls")),
    path("sandbox/", include("integrations.sandbox.urls")),
    path("recordings/", include("assessments.recordings.urls")),
    path("t/", include("assessments.urls")),
    path("", include("assessments.site_urls")),
]

handler400 = "mariohr.error_views.bad_request"
handler404 = "mariohr.error_views.not_found"
handler500 = "mariohr.error_views.server_error"

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

# Apps are included by name: the project imports no app's internals.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include("integrations.urls")),
    path("recordings/", include("assessments.recordings.urls")),
    path("t/", include("assessments.urls")),
    path("", include("assessments.site_urls")),
]

handler400 = "mariohr.error_views.bad_request"
handler404 = "mariohr.error_views.not_found"
handler500 = "mariohr.error_views.server_error"

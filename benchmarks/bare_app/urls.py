from django.urls import path

from . import views

urlpatterns = [
    path("api/greenhouse/test_status", views.test_status),
    path("api/greenhouse/list_tests", views.list_tests),
    path("api/greenhouse/send_test", views.send_test),
    # Only for reverse(): complete interviews link their report.
    path("reports/<str:report_token>", views.not_found, name="report"),
    path("healthz", views.healthz),
]

from django.urls import re_path

from . import views

# Each path answers with or without a trailing slash; a POST is never redirected.
urlpatterns = [
    re_path(r"^list_tests/?$", views.ListTestsView.as_view(), name="greenhouse-list-tests"),
    re_path(r"^send_test/?$", views.SendTestView.as_view(), name="greenhouse-send-test"),
    re_path(r"^test_status/?$", views.TestStatusView.as_view(), name="greenhouse-test-status"),
    re_path(
        r"^response_error/?$", views.ResponseErrorView.as_view(), name="greenhouse-response-error"
    ),
]

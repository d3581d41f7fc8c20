from django.urls import re_path

from . import views

# Ashby calls POST <base>/assessment.<method>; a trailing slash is tolerated.
urlpatterns = [
    re_path(r"^assessment\.list/?$", views.AssessmentListView.as_view(), name="ashby-list"),
    re_path(r"^assessment\.start/?$", views.AssessmentStartView.as_view(), name="ashby-start"),
    re_path(r"^assessment\.cancel/?$", views.AssessmentCancelView.as_view(), name="ashby-cancel"),
]

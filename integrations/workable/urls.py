from django.urls import re_path

from . import views

# Mounted at /api/workable/; each path answers with or without a trailing slash.
urlpatterns = [
    re_path(r"^tests/?$", views.TestListView.as_view(), name="workable-tests"),
    re_path(r"^assessments/?$", views.AssessmentCreateView.as_view(), name="workable-assessments"),
    re_path(
        r"^assessments/(?P<assessment_id>[^/]+)/shared-link/?$",
        views.SharedLinkView.as_view(),
        name="workable-shared-link",
    ),
]

from django.urls import re_path

from . import views

# The URLs a partner registers in Recruitee's partner.urls; a trailing slash is tolerated.
urlpatterns = [
    re_path(r"^tests/?$", views.TestsView.as_view(), name="recruitee-tests"),
    re_path(
        r"^send_candidate/?$", views.SendCandidateView.as_view(), name="recruitee-send-candidate"
    ),
]

from django.urls import path

from . import views

app_name = "recordings"

urlpatterns = [
    path("<str:candidate_token>/chunks/<str:seq>", views.chunk_upload, name="chunk"),
    path(
        "<str:candidate_token>/segments/<str:segment_id>/chunks/<str:seq>",
        views.segment_chunk_upload,
        name="segment-chunk",
    ),
    path("<str:candidate_token>/consent", views.consent, name="consent"),
    path("file/<str:token>", views.download, name="download"),
]

from django.urls import path

from . import views

app_name = "recordings"

urlpatterns = [
    path("<str:candidate_token>/chunks/<str:seq>", views.chunk_upload, name="chunk"),
    path("<str:candidate_token>/consent", views.consent, name="consent"),
    path("file/<str:token>", views.download, name="download"),
]

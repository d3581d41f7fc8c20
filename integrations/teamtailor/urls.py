from django.urls import path

from . import views

# Teamtailor calls {base-url}/<path>; the partner's base URL is <MarioHR>/api/teamtailor.
urlpatterns = [
    path("config", views.ConfigView.as_view(), name="teamtailor-config"),
    path("webhook", views.WebhookView.as_view(), name="teamtailor-webhook"),
    path("activation", views.ActivationView.as_view(), name="teamtailor-activation"),
    path(
        "activation/validate",
        views.ActivationValidateView.as_view(),
        name="teamtailor-activation-validate",
    ),
]

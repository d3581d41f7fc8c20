from django.urls import path

from . import views

urlpatterns = [
    path("captures", views.CapturesView.as_view(), name="sandbox-captures"),
    path("receiver/<str:token>/", views.receiver, name="sandbox-receiver"),
    path("receiver/<str:token>/<path:path>", views.receiver, name="sandbox-receiver-path"),
]

"""Candidate-facing pages (the invitation link /t/<token>)."""

from django.urls import path

from . import candidate_views

urlpatterns = [
    path("<str:token>", candidate_views.page, name="candidate-page"),
    path("<str:token>/start", candidate_views.start, name="candidate-start"),
    path("<str:token>/answers", candidate_views.save_answers, name="candidate-answers"),
    path("<str:token>/submit", candidate_views.submit, name="candidate-submit"),
    path("<str:token>/clock", candidate_views.clock, name="candidate-clock"),
    path("<str:token>/signals", candidate_views.signals, name="candidate-signals"),
    path("<str:token>/starter", candidate_views.starter_archive, name="candidate-starter"),
    path(
        "<str:token>/accommodation",
        candidate_views.accommodation_request,
        name="candidate-accommodation",
    ),
    path("<str:token>/feedback", candidate_views.feedback, name="candidate-feedback"),
]

"""Candidate-facing pages (the invitation link /t/<token>)."""

urlpatterns: list = []

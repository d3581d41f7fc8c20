"""The product's settings (same database, cache and Celery settings) minus everything a bare
Django view does without: DRF, the admin, sessions, middleware."""

from mariohr.settings import *  # noqa: F403

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "assessments",
    "assessments.recordings",
    "integrations",
    "integrations.delivery",
    # The plug-in registers "greenhouse" as an interview source (send_test needs it).
    "integrations.greenhouse",
]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchmarks.bare_app.urls"
TEMPLATES: list[dict] = []

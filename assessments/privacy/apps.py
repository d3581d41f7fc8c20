from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "assessments.privacy"
    label = "privacy"
    verbose_name = "Candidate data"

    def ready(self):
        from . import receivers  # noqa: F401  (starts each interview's retention clock)

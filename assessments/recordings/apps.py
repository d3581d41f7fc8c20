from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "assessments.recordings"
    label = "recordings"
    verbose_name = "Session recordings"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the interview_status_changed receiver)

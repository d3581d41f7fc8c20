from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "assessments.recordings"
    label = "recordings"
    verbose_name = "Session recordings"

from django.apps import AppConfig


class SimilarityConfig(AppConfig):
    name = "assessments.similarity"
    label = "similarity"
    verbose_name = "Similarity between submissions"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the interview_status_changed receiver)

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self):
        from .reviewers import reviewer_group_on_migrate

        # Sent after this app's permissions are created (auth's receiver connected first).
        post_migrate.connect(reviewer_group_on_migrate, sender=self)

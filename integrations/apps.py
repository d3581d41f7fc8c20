from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """The core every ATS plug-in builds on (keys, auth, SSRF guard, catalog, intake,
    delivery); the plug-ins are their own apps (integrations/plugins.py)."""

    name = "integrations"
    verbose_name = "Integrations"

    def ready(self):
        # schema registers the API key schemes with drf-spectacular; privacy connects the
        # receivers of candidate erasure, export and delivery-body retention.
        from . import privacy, schema  # noqa: F401

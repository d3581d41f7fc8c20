from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "integrations.delivery"
    label = "delivery"
    verbose_name = "Outbound delivery"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the recording-ready receiver)

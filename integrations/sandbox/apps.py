from django.apps import AppConfig


class SandboxConfig(AppConfig):
    """Sandbox twins of organizations and the built-in fake ATS receiver their callbacks go
    to; also the admin's "Send a test callback" (callback_trial.py)."""

    name = "integrations.sandbox"
    label = "sandbox"
    verbose_name = "Sandbox"

    def ready(self):
        from ..delivery.transport import in_process_route_register
        from .receiver import in_process_answer, receiver_prefixes

        for prefix in receiver_prefixes():
            in_process_route_register(prefix, in_process_answer)

import atexit

from django.apps import AppConfig
from django.core.signals import request_finished


class RequestLogConfig(AppConfig):
    name = "integrations.request_log"
    label = "request_log"
    verbose_name = "Partner API request log"

    def ready(self):
        from .buffer import pending

        # After the response has been sent (the WSGI server closes it): write when due.
        request_finished.connect(pending.flush_when_due, dispatch_uid="request_log_flush")
        atexit.register(pending.flush)

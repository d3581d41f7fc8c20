from celery import shared_task

from .services import error_reports_purge


@shared_task
def purge_error_reports() -> int:
    return error_reports_purge()

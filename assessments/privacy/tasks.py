from celery import shared_task

from .retention import retention_purge_all


@shared_task
def purge_expired_candidate_data() -> dict:
    return retention_purge_all()

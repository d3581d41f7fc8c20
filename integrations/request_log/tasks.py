from celery import shared_task

from .services import partner_requests_purge, partner_requests_write


@shared_task(name="integrations.request_log.tasks.write_partner_requests")
def write_partner_requests(batch: dict) -> int:
    return partner_requests_write(batch=batch)


@shared_task(name="integrations.request_log.tasks.purge_partner_requests")
def purge_partner_requests() -> int:
    return partner_requests_purge()

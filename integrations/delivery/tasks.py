from celery import shared_task

from .services import deliveries_sweep, delivery_attempt


@shared_task(name="integrations.delivery.tasks.attempt_delivery")
def attempt_delivery(delivery_id: int) -> None:
    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="integrations.delivery.tasks.sweep_deliveries")
def sweep_deliveries() -> int:
    return deliveries_sweep()

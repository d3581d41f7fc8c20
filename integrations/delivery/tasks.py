from celery import shared_task
from django.conf import settings

from .services import deliveries_sweep, delivery_attempt


# The transport ends every exchange at its timeout; as a backstop (a stuck database, say),
# a prefork worker still busy when the lease runs out is killed, so an attempt the sweeper
# hands to another worker is never still running.
@shared_task(
    name="integrations.delivery.tasks.attempt_delivery",
    time_limit=settings.MARIOHR_DELIVERY_LEASE_SECONDS,
)
def attempt_delivery(delivery_id: int) -> None:
    delivery_attempt(delivery_id=delivery_id)


@shared_task(name="integrations.delivery.tasks.sweep_deliveries")
def sweep_deliveries() -> int:
    return deliveries_sweep()

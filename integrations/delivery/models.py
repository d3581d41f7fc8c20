"""The outbox: one Delivery row per outbound call, one DeliveryAttempt row per try.

The row is written in the transaction that causes the call and is the source of truth;
Celery only carries its id. Long retry delays live in ``next_attempt_at``.
"""

import secrets

from django.db import models
from django.db.models import Q

from assessments.models import Interview, Organization


def new_webhook_id() -> str:
    # Standard Webhooks' idempotency id: constant across retries of one delivery.
    return "msg_" + secrets.token_urlsafe(18)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RETRYING = "retrying", "Retrying"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (retries exhausted)"
        STOPPED = "stopped", "Stopped (receiver asked us to stop)"

    ACTIVE_STATUSES = (Status.PENDING, Status.RETRYING)

    webhook_id = models.CharField(max_length=64, unique=True, default=new_webhook_id)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="deliveries"
    )
    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    kind = models.CharField(max_length=50)
    target_url = models.URLField(max_length=2000)
    # scheme://host[:port] of target_url: the unit whose health the admin reports.
    endpoint = models.CharField(max_length=300, db_index=True)
    method = models.CharField(max_length=10, blank=True, help_text="As last sent.")
    request_body = models.JSONField(null=True, blank=True, help_text="As last sent.")
    auth_reference = models.CharField(
        max_length=100, blank=True, help_text="Which credentials the last attempt used."
    )
    event = models.JSONField(default=dict, blank=True)
    ordering_key = models.CharField(max_length=200, blank=True, db_index=True)
    # Set on deliveries that must exist at most once (the recording follow-up); the unique
    # index makes a second, racing creation fail instead of sending twice.
    dedup_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    replay_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    # The X-Request-ID of the request (or Celery task) that caused it: one id finds the
    # partner call, this delivery and its attempts (README "Operating MarioHR").
    request_id = models.CharField(max_length=200, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    # In flight while leased_until is in the future; a dead worker's lease simply expires.
    leased_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=64, blank=True, editable=False)
    # When a message for this row was last handed to the broker (or is due to run).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    credentials_problem = models.BooleanField(
        default=False, help_text="The receiver refused our credentials (401/403)."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # The sweeper's query: due active deliveries in order; finished ones are not in it.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status__in=["pending", "retrying"]),
                name="delivery_due",
            ),
            models.Index(fields=["request_id"], name="delivery_request_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.webhook_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        RETRY = "retry", "Failed, will retry"
        FAILED = "failed", "Failed, retries exhausted"
        STOPPED = "stopped", "Stopped"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(db_index=True)
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    # The request id in force when the attempt ran: the causing request's, carried into the
    # task, or whoever re-queued it (a Retry now in the admin, the sweeper).
    request_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        indexes = [models.Index(fields=["request_id"], name="delivery_attempt_request_id")]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}: {self.outcome}"

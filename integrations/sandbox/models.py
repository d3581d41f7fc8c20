import secrets

from django.db import models

from assessments.models import Organization


def receiver_token_new() -> str:
    return secrets.token_urlsafe(24)


class Sandbox(models.Model):
    """Marks ``organization`` as a sandbox (kept here, not on Organization: assessments
    knows nothing of ATSs). Its receiver URL carries ``receiver_token``, so one sandbox
    cannot write into another's captures."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="sandbox"
    )
    twin_of = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sandbox_twins",
        help_text="The production organization this sandbox copies.",
    )
    receiver_token = models.CharField(
        max_length=64, unique=True, default=receiver_token_new, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name"]
        verbose_name_plural = "sandboxes"

    def __str__(self) -> str:
        return f"Sandbox {self.organization}"


class ReceivedCallback(models.Model):
    """One request the fake ATS receiver got, secrets in headers redacted."""

    sandbox = models.ForeignKey(Sandbox, on_delete=models.CASCADE, related_name="received")
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    headers = models.JSONField(default=dict)
    # The JSON body, or the raw text when it is not JSON.
    body = models.JSONField(null=True, blank=True)
    body_text = models.TextField(blank=True)
    webhook_id = models.CharField(max_length=200, blank=True)
    signature_verified = models.BooleanField(default=False)
    signature_problem = models.CharField(max_length=300, blank=True)
    answered_status = models.PositiveSmallIntegerField()
    in_process = models.BooleanField(
        default=False, help_text="Handed over by MarioHR's delivery, not received over HTTP."
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "received callback"

    def __str__(self) -> str:
        return f"{self.method} {self.path[:80]}"

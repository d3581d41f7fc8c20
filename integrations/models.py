from django.db import models

from assessments.models import Organization


class ApiKey(models.Model):
    """An organization's key for MarioHR's partner APIs. Only a SHA-256 hash is stored."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100, default="Default")
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ErrorReport(models.Model):
    """A malformed-response report an ATS sent to response_error; purged after 7 days."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    api_call = models.CharField(max_length=100, blank=True)
    errors = models.JSONField(default=list)
    partner_test_id = models.CharField(max_length=200, blank=True)
    partner_test_name = models.CharField(max_length=300, blank=True)
    partner_interview_id = models.CharField(max_length=200, blank=True)
    candidate_email = models.CharField(max_length=320, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.api_call or 'error report'} at {self.received_at:%Y-%m-%d %H:%M}"


class IntegrationSettings(models.Model):
    """Per-organization settings shared by every ATS: the secret that signs every outbound
    call. Each ATS plug-in keeps its own credentials in its own model.

    Secret fields hold Fernet tokens (see crypto.py); use the services to read and write them.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="integration_settings"
    )
    # Standard Webhooks signing secret ("whsec_" + base64), encrypted.
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "integration settings"
        verbose_name_plural = "integration settings"

    def __str__(self) -> str:
        return f"Integration settings for {self.organization}"

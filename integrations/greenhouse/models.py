from django.db import models

from assessments.crypto import EncryptedTextField
from assessments.models import Organization


class GreenhouseSettings(models.Model):
    """The Basic credentials the customer's ATS expects on the results PATCH: a username and
    password, or its API key as the username with an empty password (so both are secrets)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="greenhouse_settings"
    )
    username_encrypted = EncryptedTextField()
    password_encrypted = EncryptedTextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Greenhouse settings"
        verbose_name_plural = "Greenhouse settings"

    def __str__(self) -> str:
        return f"Greenhouse settings for {self.organization}"

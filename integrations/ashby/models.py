from django.db import models

from assessments.crypto import EncryptedTextField
from assessments.models import Organization

ASHBY_API = "https://api.ashbyhq.com"


class AshbySettings(models.Model):
    """An organization's Ashby API key (for assessment.update) and API base URL."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="ashby_settings"
    )
    api_key_encrypted = EncryptedTextField()
    base_url = models.URLField(max_length=500, default=ASHBY_API)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Ashby settings"
        verbose_name_plural = "Ashby settings"

    def __str__(self) -> str:
        return f"Ashby settings for {self.organization}"

from django.db import models

from assessments.crypto import EncryptedTextField, decrypt

from ..grades import threshold_field, thresholds_in_order

# Teamtailor's stacks; whether one partner serves all of them is not documented, so the
# region is chosen per organization (its partner-result URLs must be on that stack's host).
REGION_HOSTS = {
    "eu": "api.teamtailor.com",
    "na": "api.na.teamtailor.com",
    "au": "api.au.teamtailor.com",
}


class TeamtailorSettings(models.Model):
    """One organization's Teamtailor settings: the partner API key for our result PUTs, the
    webhook secret that signs Teamtailor's webhooks, and the stack its results go to.

    Secrets hold Fernet tokens; read and write them through services.py."""

    class Region(models.TextChoices):
        EU = "eu", "EU (api.teamtailor.com)"
        NA = "na", "North America (api.na.teamtailor.com)"
        AU = "au", "Asia-Pacific (api.au.teamtailor.com)"
        CUSTOM = "custom", "Custom base URL (sandbox, tests)"

    organization = models.OneToOneField(
        "assessments.Organization", on_delete=models.CASCADE, related_name="teamtailor_settings"
    )
    # The partner API key from Teamtailor's Integrations hub: sent with every result PUT,
    # and the key Teamtailor signs provider-key JWTs with.
    api_key_encrypted = EncryptedTextField()
    # The hub's webhook secret: when set, every webhook must carry a valid
    # Teamtailor-Signature.
    webhook_secret_encrypted = EncryptedTextField()
    region = models.CharField(max_length=10, choices=Region.choices, default=Region.EU)
    # Only for Region.CUSTOM: where partner results live (checked by the SSRF guard on save).
    custom_base_url = models.URLField(max_length=500, blank=True)
    # Teamtailor shows a fit grade next to the 0-100 score.
    top_fit_percent = threshold_field(default=80, help_text="Lowest score % graded top fit.")
    might_be_fit_percent = threshold_field(
        default=50, help_text="Lowest score % graded might be fit; below it, might not be fit."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Teamtailor settings"
        verbose_name_plural = "Teamtailor settings"
        constraints = [
            thresholds_in_order(
                lower="might_be_fit_percent",
                upper="top_fit_percent",
                name="teamtailor_grades_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"Teamtailor settings for {self.organization}"

    def api_key(self) -> str:
        return decrypt(self.api_key_encrypted)

    def webhook_secret(self) -> str:
        return decrypt(self.webhook_secret_encrypted)

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted)

    @property
    def has_webhook_secret(self) -> bool:
        return bool(self.webhook_secret_encrypted)

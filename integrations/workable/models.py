from django.db import models

from assessments.crypto import EncryptedTextField

from ..grades import threshold_field, thresholds_in_order

# Interview.source of the interviews Workable created (the app's ats_name).
SOURCE = "workable"
DEFAULT_CALLBACK_DOMAIN = "workable.com"


class WorkableSettings(models.Model):
    """One organization's Workable settings: the token for our result PUTs and where they
    may go. Secrets hold Fernet tokens; read and write them through services.py."""

    organization = models.OneToOneField(
        "assessments.Organization", on_delete=models.CASCADE, related_name="workable_settings"
    )
    # The token Workable generated when the customer connected MarioHR; sent as Bearer.
    results_token_encrypted = EncryptedTextField()
    # Workable names the results URL in each request. Our token goes with the PUT, so a
    # callback URL elsewhere would hand it to whoever called us with the customer's key.
    callback_domain = models.CharField(
        max_length=253,
        default=DEFAULT_CALLBACK_DOMAIN,
        help_text="Results are PUT only to callback URLs on this domain or its subdomains.",
    )
    # Workable shows a grade as no / yes / definitely yes (failed / passed / excelled).
    pass_percent = threshold_field(default=50, help_text="Lowest score % graded passed.")
    excel_percent = threshold_field(default=85, help_text="Lowest score % graded excelled.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Workable settings"
        verbose_name_plural = "Workable settings"
        constraints = [
            thresholds_in_order(
                lower="pass_percent", upper="excel_percent", name="workable_pass_at_most_excel"
            )
        ]

    def __str__(self) -> str:
        return f"Workable settings for {self.organization}"

    @property
    def has_results_token(self) -> bool:
        return bool(self.results_token_encrypted)

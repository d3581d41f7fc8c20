from django.core.validators import RegexValidator
from django.db import models

from assessments.crypto import EncryptedTextField

CODENAME = RegexValidator(
    r"^[a-z]+(-[a-z]+)*$", "Lowercase letters and dashes, as Recruitee spells a codename."
)


class RecruiteeSettings(models.Model):
    """An organization's Recruitee integration.

    ``company_id`` is bound from the first send_candidate and checked on every later one, so
    a key copied into another Recruitee company cannot write into this organization. The
    other fields override the deployment's partner (conf.py) for an organization served by
    its own Recruitee partner registration or by the RC environment; empty means the
    deployment's value. Use services.py to read and write them.
    """

    organization = models.OneToOneField(
        "assessments.Organization", on_delete=models.CASCADE, related_name="recruitee_settings"
    )
    company_id = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="The Recruitee company this organization's key belongs to; set by the first "
        "send. Clear it to let another company bind.",
    )
    api_base_url = models.URLField(
        max_length=200,
        blank=True,
        help_text="Empty: the deployment's (production). RC: "
        "https://integrations.rc.recruitee.dev/api",
    )
    codename = models.CharField(
        max_length=100,
        blank=True,
        validators=[CODENAME],
        help_text="Empty: the deployment's partner codename.",
    )
    partner_secret_encrypted = EncryptedTextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Recruitee settings"
        verbose_name_plural = "Recruitee settings"

    def __str__(self) -> str:
        return f"Recruitee settings for {self.organization}"

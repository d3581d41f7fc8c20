"""An organization's webhook signing secret (signs every ATS's calls), encrypted at rest;
each ATS keeps its own credentials in its own package.

The admin, the management commands and the delivery engine all go through these functions;
nothing else reads the encrypted columns.
"""

import base64
import secrets

from django.db import transaction

from assessments.models import Organization

from .crypto import decrypt, encrypt
from .models import IntegrationSettings

WEBHOOK_SECRET_PREFIX = "whsec_"
WEBHOOK_SECRET_BYTES = 32


def integration_settings_get(*, organization: Organization) -> IntegrationSettings:
    settings_row, _ = IntegrationSettings.objects.get_or_create(organization=organization)
    return settings_row


def _settings_row(organization: Organization) -> IntegrationSettings | None:
    return IntegrationSettings.objects.filter(organization=organization).first()


def webhook_secret_new() -> str:
    return (
        WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(WEBHOOK_SECRET_BYTES)).decode()
    )


def webhook_secret_get(
    *, organization: Organization, settings_row: IntegrationSettings | None = None
) -> str:
    """The organization's signing secret, created on first use. ``settings_row``: the
    organization's row if the caller has just loaded it."""
    settings_row = settings_row or _settings_row(organization)
    if settings_row is not None and settings_row.webhook_secret_encrypted:
        return decrypt(settings_row.webhook_secret_encrypted)
    with transaction.atomic():
        settings_row = integration_settings_get(organization=organization)
        settings_row = IntegrationSettings.objects.select_for_update().get(pk=settings_row.pk)
        if not settings_row.webhook_secret_encrypted:
            settings_row.webhook_secret_encrypted = encrypt(webhook_secret_new())
            settings_row.save(update_fields=["webhook_secret_encrypted", "updated_at"])
    return decrypt(settings_row.webhook_secret_encrypted)


def webhook_secret_rotate(*, organization: Organization) -> str:
    settings_row = integration_settings_get(organization=organization)
    secret = webhook_secret_new()
    settings_row.webhook_secret_encrypted = encrypt(secret)
    settings_row.save(update_fields=["webhook_secret_encrypted", "updated_at"])
    return secret

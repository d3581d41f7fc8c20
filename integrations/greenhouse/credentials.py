"""The results PATCH's Basic credentials, encrypted at rest. The admin, the command and the
delivery all go through these functions; nothing else reads the encrypted columns."""

from assessments.models import Organization

from ..crypto import decrypt, encrypt
from .models import GreenhouseSettings


def outbound_credentials_set(
    *, organization: Organization, username: str, password: str = ""
) -> GreenhouseSettings:
    """Basic auth for the results PATCH: username and password, or a key as username with an
    empty password; both empty sends the PATCH unauthenticated."""
    if ":" in username:
        # RFC 7617: the user-id of Basic auth cannot contain a colon.
        raise ValueError("The username must not contain ':'.")
    settings_row, _ = GreenhouseSettings.objects.get_or_create(organization=organization)
    settings_row.username_encrypted = encrypt(username)
    settings_row.password_encrypted = encrypt(password)
    settings_row.save(update_fields=["username_encrypted", "password_encrypted", "updated_at"])
    return settings_row


def outbound_credentials_get(*, organization: Organization) -> tuple[str, str] | None:
    return credentials_of(GreenhouseSettings.objects.filter(organization=organization).first())


def credentials_of(settings_row: GreenhouseSettings | None) -> tuple[str, str] | None:
    """(username, password) from a loaded row (None: no row, or no username)."""
    username = decrypt(settings_row.username_encrypted) if settings_row else ""
    if not username:
        return None
    return username, decrypt(settings_row.password_encrypted)

"""Environment secrets at rest (sandbox passwords given to candidates), with Fernet.

The same keys as integrations/crypto.py (MARIOHR_FERNET_KEYS, else derived from SECRET_KEY);
kept separate because `assessments` must not import `integrations`.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = list(settings.MARIOHR_FERNET_KEYS)
    if not keys:
        digest = hashlib.sha256(("mariohr-fernet:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(key) for key in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode() if plaintext else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("Stored secret cannot be decrypted: check MARIOHR_FERNET_KEYS.") from None


class SecretWhenMarked:
    """For models with ``is_secret`` and ``value_stored``: ``value`` is encrypted at rest
    when the row is marked secret, plain otherwise."""

    @property
    def value(self) -> str:
        return decrypt(self.value_stored) if self.is_secret else self.value_stored

    @value.setter
    def value(self, plaintext: str) -> None:
        self.value_stored = encrypt(plaintext) if self.is_secret else plaintext

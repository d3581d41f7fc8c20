"""Secrets at rest (outbound credentials, Ashby keys, signing secrets, environment secrets),
with Fernet.

The same keys everywhere (MARIOHR_FERNET_KEYS, else derived from SECRET_KEY in development);
integrations/crypto.py re-exports this because `assessments` must not import `integrations`.
A column holding a token is an ``EncryptedTextField`` (or, in older models, a text column
named ``*_encrypted``), or is ``value_stored`` on a model using ``SecretWhenMarked``: key
rotation (secrets_rotation.py) finds them all, in any app, without being told.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def fernet_key_derived(secret_key: str) -> str:
    """The development key used when MARIOHR_FERNET_KEYS is unset; list it as an old key
    when moving to explicit keys."""
    digest = hashlib.sha256(("mariohr-fernet:" + secret_key).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def fernet_keys() -> list[str]:
    return list(settings.MARIOHR_FERNET_KEYS) or [fernet_key_derived(settings.SECRET_KEY)]


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in fernet_keys()])


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


class EncryptedTextField(models.TextField):
    """A column holding a Fernet token (``encrypt``/``decrypt`` it in the owning service).

    The shared field for every app's secrets: never a form field, empty when unset, and
    found by key rotation wherever it is declared."""

    holds_fernet_tokens = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

"""Secrets at rest (outbound credentials, Ashby keys, signing secrets) with Fernet.

One implementation for the whole product, in assessments/crypto.py (integrations may depend
on assessments, never the reverse).
"""

from assessments.crypto import decrypt, encrypt

__all__ = ["decrypt", "encrypt"]

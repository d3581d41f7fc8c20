"""Teamtailor's provider key → the organization, and its webhook signatures.

Teamtailor sends ``Authorization: Bearer <provider key>``. Activated through our form (which
asks for the MarioHR API key), the provider key is a JWT of the form's answers signed with
our partner API key (HS256); older activations may hold the MarioHR key itself. Either
way the organization is found by its hashed MarioHR key, and a JWT's signature is checked
with the organization's Teamtailor API key when one is configured.
"""

import base64
import binascii
import hashlib
import hmac
import json
import re
import time

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from mariohr.json_safety import json_loads_safe

from ..auth import ApiKeyAuthenticationBase, MalformedCredentials
from .models import TeamtailorSettings
from .payloads import API_KEY_FIELD

# The activation form's field id; Teamtailor turns "_" into "-" in what it sends back.
KEY_CLAIMS = (API_KEY_FIELD, API_KEY_FIELD.replace("_", "-"), "apiKey")
MAX_TOKEN_CHARS = 4096
SIGNATURE_TOLERANCE_SECONDS = 300
# ASCII digits only (str.isdigit() also takes "²"), and short enough for int() to convert.
UNIX_TIME = re.compile(r"[0-9]{1,12}")


class BadToken(ValueError):
    pass


def _b64url(part: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise BadToken("not base64url") from None


def jwt_claims(token: str) -> tuple[dict, bytes, bytes]:
    """An HS256 JWT's claims, signed part and signature, not yet verified."""
    parts = token.split(".")
    if len(parts) != 3:
        raise BadToken("not a JWT")
    try:
        header = json_loads_safe(_b64url(parts[0]))
        claims = json_loads_safe(_b64url(parts[1]))
    except ValueError:
        raise BadToken("unreadable JWT") from None
    # Only HMAC: "none" or an algorithm we do not check would let anyone mint a token.
    if not isinstance(header, dict) or header.get("alg") != "HS256":
        raise BadToken("JWT algorithm must be HS256")
    if not isinstance(claims, dict):
        raise BadToken("JWT claims must be an object")
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires < time.time():
        raise BadToken("JWT expired")
    return claims, f"{parts[0]}.{parts[1]}".encode(), _b64url(parts[2])


def jwt_sign(claims: dict, key: str) -> str:
    """An HS256 JWT (for tests and the demo: Teamtailor mints the real ones)."""

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signed = encode(b'{"alg":"HS256","typ":"JWT"}') + "." + encode(json.dumps(claims).encode())
    digest = hmac.new(key.encode(), signed.encode(), hashlib.sha256).digest()
    return signed + "." + encode(digest)


def raw_key_of(token: str) -> tuple[str, tuple[bytes, bytes] | None]:
    """The MarioHR API key a provider key carries, and (signed part, signature) to check
    when it is a JWT."""
    if token.count(".") != 2:
        return token, None  # a MarioHR key itself (it contains no dots)
    claims, signed, signature = jwt_claims(token)
    for claim in KEY_CLAIMS:
        if isinstance(claims.get(claim), str):
            return claims[claim].strip(), (signed, signature)
    raise BadToken("the provider key holds no MarioHR API key")


class ProviderKeyAuthentication(ApiKeyAuthenticationBase):
    """``Authorization: Bearer <provider key>``; ``request.user`` is the Organization,
    ``request.auth`` the ApiKey (its rate limit applies)."""

    scheme = "Bearer"
    refused = "Invalid or revoked provider key."

    def raw_key(self, credentials: bytes) -> str:
        return self._parsed(credentials)[0]

    def accepts(self, request, api_key, credentials: bytes) -> bool:
        signed = self._parsed(credentials)[1]
        return not signed or _signature_valid(api_key.organization, *signed)

    @staticmethod
    def _parsed(credentials: bytes) -> tuple[str, tuple[bytes, bytes] | None]:
        try:
            token = credentials.decode("ascii")
            if not token or len(token) > MAX_TOKEN_CHARS:
                raise BadToken("empty or too long")
            return raw_key_of(token)
        except (UnicodeDecodeError, BadToken):
            raise MalformedCredentials("Malformed provider key.") from None


def _signature_valid(organization, signed: bytes, signature: bytes) -> bool:
    settings_row = TeamtailorSettings.objects.filter(organization=organization).first()
    partner_key = settings_row.api_key() if settings_row else ""
    if not partner_key:
        # Nothing to check with yet: the MarioHR key inside is what authenticates.
        return True
    expected = hmac.new(partner_key.encode(), signed, hashlib.sha256).digest()
    return hmac.compare_digest(expected, signature)


def webhook_signature_valid(
    header: str, *, partner_event_id: str, secret: str, now: float | None = None
) -> bool:
    """``Teamtailor-Signature: t=<unix>,v1=<hex>[,v0=…]``: HMAC-SHA256 with the webhook
    secret over "<t>.<partner-event id>" (not the body), at most five minutes old."""
    values: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        name, _, value = item.strip().partition("=")
        values.setdefault(name, []).append(value.strip())
    timestamps = values.get("t") or []
    if len(timestamps) != 1 or not UNIX_TIME.fullmatch(timestamps[0]):
        return False
    now = time.time() if now is None else now
    if abs(now - int(timestamps[0])) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    signed = f"{timestamps[0]}.{partner_event_id}".encode()
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    # Only the latest scheme (v1) counts, so a downgrade to an older one is refused.
    return any(hmac.compare_digest(expected, offered) for offered in values.get("v1", []))


class ProviderKeyScheme(OpenApiAuthenticationExtension):
    target_class = ProviderKeyAuthentication
    name = "teamtailorProviderKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Teamtailor's provider key: a JWT of the activation form's answers "
            "(api_key: the organization's MarioHR API key), or that API key itself.",
        }

"""Organization API keys as DRF authentication (HTTP Basic)."""

import base64
import binascii

from rest_framework import authentication, exceptions

from .keys import api_key_authenticate
from .throttling import AuthFailureThrottle


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """HTTP Basic with the key as username (Greenhouse) or as password (some Ashby setups).

    ``request.user`` is the Organization and ``request.auth`` the ApiKey.
    """

    www_authenticate_realm = "MarioHR"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        scheme, _, encoded = header.partition(b" ")
        if scheme.lower() != b"basic":
            return None
        failures = AuthFailureThrottle()
        if not failures.allow_request(request):
            raise exceptions.Throttled(
                failures.wait(), "Too many failed authentications from this address."
            )
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            failures.failure_record(request)
            raise exceptions.AuthenticationFailed("Malformed Basic credentials.") from None
        username, _, password = decoded.partition(":")
        raw_key = username or password
        api_key = api_key_authenticate(raw_key.strip())
        if api_key is None:
            failures.failure_record(request)
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        return api_key.organization, api_key

    def authenticate_header(self, request):
        return f'Basic realm="{self.www_authenticate_realm}"'

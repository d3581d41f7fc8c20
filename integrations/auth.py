"""Organization API keys as DRF authentication: HTTP Basic (Greenhouse, Ashby) or Bearer
(Workable, Recruitee, Teamtailor). Either way one hashed lookup, failures throttled.

An ATS whose key arrives wrapped (Teamtailor's provider key, a JWT around the API key)
subclasses ``ApiKeyAuthenticationBase`` and overrides ``raw_key`` and ``accepts``."""

import base64
import binascii

from rest_framework import authentication, exceptions

from .keys import api_key_authenticate
from .throttling import AuthFailureThrottle


class MalformedCredentials(ValueError):
    """The Authorization header's credentials cannot hold a key (counted as a failure)."""


class ApiKeyAuthenticationBase(authentication.BaseAuthentication):
    """``Authorization: <scheme> <credentials>``; ``request.user`` is the Organization and
    ``request.auth`` the ApiKey. Another scheme is left to the next class (None)."""

    scheme = ""
    www_authenticate_realm = "MarioHR"
    refused = "Invalid or revoked API key."

    def raw_key(self, credentials: bytes) -> str:
        """The API key inside the credentials; raises MalformedCredentials."""
        raise NotImplementedError

    def accepts(self, request, api_key, credentials: bytes) -> bool:
        """A further check on the credentials once the key is known (a signature, say)."""
        return True

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        scheme, _, credentials = header.partition(b" ")
        if scheme.lower() != self.scheme.lower().encode():
            return None
        failures = AuthFailureThrottle()
        if not failures.allow_request(request):
            raise exceptions.Throttled(
                failures.wait(), "Too many failed authentications from this address."
            )
        credentials = credentials.strip()
        try:
            raw_key = self.raw_key(credentials)
        except MalformedCredentials as problem:
            failures.failure_record(request)
            raise exceptions.AuthenticationFailed(str(problem)) from None
        api_key = api_key_authenticate(raw_key.strip())
        if api_key is None or not self.accepts(request, api_key, credentials):
            failures.failure_record(request)
            raise exceptions.AuthenticationFailed(self.refused)
        return api_key.organization, api_key

    def authenticate_header(self, request):
        return f'{self.scheme} realm="{self.www_authenticate_realm}"'


class ApiKeyAuthentication(ApiKeyAuthenticationBase):
    """HTTP Basic with the key as username (Greenhouse) or as password (some Ashby setups)."""

    scheme = "Basic"

    def raw_key(self, credentials: bytes) -> str:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise MalformedCredentials("Malformed Basic credentials.") from None
        username, _, password = decoded.partition(":")
        return username or password


class BearerApiKeyAuthentication(ApiKeyAuthenticationBase):
    """``Authorization: Bearer <MarioHR API key>``."""

    scheme = "Bearer"

    def raw_key(self, credentials: bytes) -> str:
        try:
            return credentials.decode("ascii")
        except UnicodeDecodeError:
            raise MalformedCredentials("Malformed Bearer token.") from None

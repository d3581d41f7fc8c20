"""OpenAPI (drf-spectacular) description of the partner API's authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.auth.ApiKeyAuthentication"
    name = "organizationApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "basic",
            "description": "The organization's API key as the username; the password is empty.",
        }


class BearerApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "integrations.auth.BearerApiKeyAuthentication"
    name = "organizationApiKeyBearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The organization's API key as a Bearer token.",
        }

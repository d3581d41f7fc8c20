"""Request plumbing shared by the partner APIs (kept apart from errors.py, which imports
rest_framework.views: DRF imports these classes while it is itself loading)."""

from django.conf import settings
from rest_framework import exceptions, parsers, permissions, status

from assessments.models import Organization
from mariohr.json_safety import UnsafeJSON, json_loads_safe


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class CappedJSONParser(parsers.BaseParser):
    """JSON only, bodies capped at MARIOHR_MAX_REQUEST_BYTES, unstorable JSON refused.

    Not a JSONParser subclass on purpose: DRF reads ``request.body`` whole for those, and
    Django then answers an oversized body with a bare 400 page instead of our JSON 413.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        cap = settings.MARIOHR_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > cap:
            raise PayloadTooLarge(f"Request body is larger than {cap} bytes.")
        raw = stream.read(cap + 1) if stream is not None else b""
        if len(raw) > cap:
            raise PayloadTooLarge(f"Request body is larger than {cap} bytes.")
        try:
            return json_loads_safe(raw)
        except UnsafeJSON as problem:
            if problem.field is None:
                raise exceptions.ParseError(problem.message) from None
            raise exceptions.ValidationError({problem.field: [problem.message]}) from None


class IsOrganization(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, Organization)

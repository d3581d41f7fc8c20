"""Request plumbing shared by the partner APIs (kept apart from errors.py, which imports
rest_framework.views: DRF imports these classes while it is itself loading)."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers, permissions, status

from assessments.models import Organization


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body is too large."
    default_code = "payload_too_large"


class CappedJSONParser(parsers.JSONParser):
    """JSON only, bodies capped at MARIOHR_MAX_REQUEST_BYTES, NaN/Infinity refused."""

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
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(f"Malformed JSON: {exc}") from None


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


class IsOrganization(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.user, Organization)

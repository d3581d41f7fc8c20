"""Request plumbing shared by the partner APIs (kept apart from errors.py, which imports
rest_framework.views: DRF imports these classes while it is itself loading)."""

from django.conf import settings
from django.http import HttpResponse
from rest_framework import exceptions, negotiation, parsers, permissions, status
from rest_framework.renderers import JSONRenderer

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


class JSONFirstNegotiation(negotiation.DefaultContentNegotiation):
    """DRF's negotiation, minus its Accept parsing for what ATSs send nearly always: no
    Accept header, */* or application/json, with JSON the only renderer. Anything else
    (another type, parameters, ?format=) is negotiated by DRF as before."""

    plain_accepts = frozenset(["", "*/*", "application/json"])

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            len(renderers) == 1
            and renderers[0].media_type == "application/json"
            and format_suffix is None
            and request.META.get("HTTP_ACCEPT", "").strip() in self.plain_accepts
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)


def json_response(data, status: int = 200) -> HttpResponse:
    """The bytes and Content-Type DRF's Response would send (its JSONRenderer), without its
    template-response machinery: a measurable part of the cost of the calls an ATS makes
    most (test_status polls, list_tests)."""
    return HttpResponse(
        JSONRenderer().render(data), status=status, content_type=JSONRenderer.media_type
    )

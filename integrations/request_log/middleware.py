"""Captures every call to an installed ATS plug-in's API (/api/<ats_name>/...).

The request path only takes references (the body it reads anyway, the rendered response,
the raw query string), a timestamp and ids; no header is taken (the Authorization header is
never copied). Parsing, redaction and writing happen in the worker (buffer.py, transit.py).
"""

import time

from django.conf import settings

from assessments.models import Organization
from mariohr.request_id import current_request_id

from .. import plugins
from . import INTERVIEW_ATTRIBUTE
from .buffer import Captured, pending

# Responses larger than this are not kept even for redaction (list endpoints stay far below).
MAX_RESPONSE_CAPTURE = 256 * 1024


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.ats_names = None

    def __call__(self, request):
        ats = self._ats_of(request.path_info)
        if ats is None or not settings.MARIOHR_REQUEST_LOG_ENABLED:
            return self.get_response(request)
        body, omitted = _read_body(request)
        started_at = time.time()
        started = time.perf_counter()
        response = self.get_response(request)
        latency_ms = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        content = b""
        response_omitted = 0
        if not response.streaming:
            content = response.content
            if len(content) > MAX_RESPONSE_CAPTURE:
                content, response_omitted = b"", len(content)
        match = request.resolver_match
        pending.add(
            Captured(
                created_at=started_at,
                ats=ats,
                endpoint=(match.url_name or "") if match else "",
                method=request.method,
                path=request.path_info[:300],
                query_string=request.META.get("QUERY_STRING", ""),
                status_code=response.status_code,
                latency_ms=latency_ms,
                request_body=body,
                request_omitted=omitted,
                response_body=content,
                response_omitted=response_omitted,
                request_id=current_request_id(),
                organization_id=user.pk if isinstance(user, Organization) else None,
                interview_id=getattr(request, INTERVIEW_ATTRIBUTE, None),
            )
        )
        return response

    def _ats_of(self, path: str) -> str | None:
        if not path.startswith("/api/"):
            return None
        if self.ats_names is None:
            self.ats_names = frozenset(ats.ats_name for ats in plugins.all_ats())
        name = path[5:].partition("/")[0]
        return name if name in self.ats_names else None


def _read_body(request) -> tuple[bytes, int]:
    """The body, read now so the view's parser reads the same bytes from memory; a body the
    parser will refuse as too large (413) is not read at all."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    length = int(declared) if declared.isdigit() else 0
    if not length:
        return b"", 0
    limits = [settings.MARIOHR_MAX_REQUEST_BYTES, settings.DATA_UPLOAD_MAX_MEMORY_SIZE]
    if length > min(limit for limit in limits if limit is not None):
        return b"", length
    return request.body, 0

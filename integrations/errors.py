"""One error shape for the partner APIs: a 4xx whose JSON names the field and the problem."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .api import PayloadTooLarge


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """{"candidate": {"email": ["…"]}} → {"candidate.email": ["…"]}; list items as errors[0]."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else key
            flat.update(flatten_errors(value, name or "body"))
        return flat
    if isinstance(detail, list) and detail and all(isinstance(d, str) for d in detail):
        return {prefix or "body": [str(d) for d in detail]}
    if isinstance(detail, list):
        flat = {}
        for index, value in enumerate(detail):
            flat.update(flatten_errors(value, f"{prefix}[{index}]"))
        return flat
    return {prefix or "body": [str(detail)]}


def api_exception_handler(exc, context):
    """DRF errors as ``{"error", "message", "fields"}``; a view may reshape them."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        summary = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        body = {"error": "invalid_request", "message": summary, "fields": fields}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(exc, "default_code", "error")
        body = {"error": code, "message": str(detail)}
    view = context.get("view")
    reshape = getattr(view, "error_body", None)
    if reshape is not None:
        body = reshape(body, response.status_code)
    return Response(body, status=response.status_code, headers=_kept_headers(response))


def _kept_headers(response) -> dict[str, str]:
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}

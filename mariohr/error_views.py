"""The site's error handlers (handler400/404/500): API callers get JSON in the shape of
the API they called (mariohr/api_errors.py), people get a page."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from mariohr.api_errors import error_json
from mariohr.middleware import UnstorableInput


def _api_error(request, status: int, code: str, message: str) -> JsonResponse | None:
    """JSON for API callers; None for pages people see."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.path.startswith(("/api/", "/recordings/")) or wants_json:
        return JsonResponse(error_json(request.path, status, code, message), status=status)
    return None


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "not_found", "No such endpoint.")
    return render(request, "errors/404.html", status=404)


def bad_request(request, exception=None):
    """A request Django could not read (too large, too many fields, malformed form data),
    or one the input guard refused (its message names the part; other messages may be
    internal, so they are not shown)."""
    detail = str(exception) if isinstance(exception, UnstorableInput) else ""
    message = detail or "The request could not be read. Go back and try again."
    answer = _api_error(request, 400, "bad_request", message)
    return answer or render(request, "errors/400.html", {"detail": detail}, status=400)


def server_error(request):
    message = "Something went wrong on our side. Try again later."
    answer = _api_error(request, 500, "server_error", message)
    return answer or HttpResponse(
        "<!doctype html><title>Something went wrong</title>"
        "<h1>Something went wrong</h1><p>We have been told and are looking into it.</p>",
        status=500,
    )

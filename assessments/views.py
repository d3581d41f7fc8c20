import uuid

from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render

from .models import Interview
from .reports import report_build


def home(request):
    return render(request, "home.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def report(request, partner_interview_id: str):
    """The recruiter's report; JSON (the results callback's ``report``) on Accept: JSON."""
    wants_json = request.get_preferred_type(["text/html", "application/json"]) == (
        "application/json"
    )
    interview = (
        Interview.objects.select_related("candidate", "test", "organization", "scored_by")
        .filter(partner_interview_id=partner_interview_id)
        .first()
    )
    if interview is None:
        if wants_json:
            return JsonResponse({"error": "not_found", "message": "No such report."}, status=404)
        raise Http404("No such report")
    body = report_build(interview)
    if wants_json:
        response = JsonResponse(body)
    else:
        response = render(
            request,
            "assessments/report.html",
            {"report": body, "status_label": interview.get_status_display()},
        )
    response["Vary"] = "Accept"
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _api_error(request, status: int, code: str, message: str) -> JsonResponse | None:
    """JSON in the shape of the API that was called; None for pages people see."""
    if request.path.startswith("/api/ashby/"):
        body = {
            "success": False,
            "errors": [code],
            "errorInfo": {"code": code, "message": message, "requestId": uuid.uuid4().hex},
            "message": message,
        }
        return JsonResponse(body, status=status)
    if request.path.startswith(("/api/", "/recordings/")):
        return JsonResponse({"error": code, "message": message}, status=status)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"error": code, "message": message}, status=status)
    return None


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _api_error(request, 404, "not_found", "No such endpoint.")
    return render(request, "errors/404.html", status=404)


def bad_request(request, exception=None):
    """A request Django could not read (too large, too many fields, malformed form data)."""
    message = "The request could not be read. Go back and try again."
    answer = _api_error(request, 400, "bad_request", message)
    return answer or render(request, "errors/400.html", status=400)


def server_error(request):
    return HttpResponse(
        "<!doctype html><title>Something went wrong</title>"
        "<h1>Something went wrong</h1><p>We have been told and are looking into it.</p>",
        status=500,
    )

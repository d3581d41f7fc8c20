from django.db import connection
from django.http import Http404, JsonResponse
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

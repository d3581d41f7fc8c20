import re

from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from mariohr.api_errors import error_body

from .models import Interview
from .reports import report_build


def home(request):
    return render(request, "home.html")


def healthz(request):
    # Liveness: the process answers. Dependencies are /readyz's (mariohr/ops.py), so a
    # database outage takes instances out of rotation instead of getting them restarted.
    return JsonResponse({"status": "ok"})


# Both keys are URL-safe tokens; anything else (a NUL, a space) is refused before a query.
URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _wants_json(request) -> bool:
    preferred = request.get_preferred_type(["text/html", "application/json"])
    if preferred:
        return preferred == "application/json"
    # Django matches no type with parameters ("application/json; charset=utf-8"), nor a
    # +json type (application/problem+json) to application/json.
    return any(
        media.main_type == "application"
        and (media.sub_type == "json" or media.sub_type.endswith("+json"))
        for media in request.accepted_types
    )


def _report_not_found(request):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", "No such report."), status=404)
    raise Http404("No such report")


def report(request, report_token: str):
    """The recruiter's report; JSON (the results callback's ``report``) on Accept: JSON."""
    interview = None
    if URL_SAFE_TOKEN.fullmatch(report_token):
        interview = (
            Interview.objects.select_related("candidate", "test", "organization", "scored_by")
            .filter(report_token=report_token)
            .first()
        )
    if interview is None:
        return _report_not_found(request)
    body = report_build(interview)
    if _wants_json(request):
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


def report_legacy(request, partner_interview_id: str):
    """/api/report/<partner_interview_id>: links the ATS stored before report tokens.

    Only interviews from before then answer (a permanent redirect to their report); for
    every newer one the partner_interview_id, which the ATS shows widely, opens nothing.
    """
    interview = None
    if URL_SAFE_TOKEN.fullmatch(partner_interview_id):
        interview = (
            Interview.objects.filter(
                partner_interview_id=partner_interview_id, report_legacy_link=True
            )
            .only("report_token")
            .first()
        )
    if interview is None:
        return _report_not_found(request)
    response = HttpResponsePermanentRedirect(reverse("report", args=[interview.report_token]))
    response["Referrer-Policy"] = "no-referrer"
    return response

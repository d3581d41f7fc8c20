from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from .models import Interview


def home(request):
    return render(request, "home.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def report(request, partner_interview_id: str):
    interview = get_object_or_404(
        Interview.objects.select_related("candidate", "test", "organization"),
        partner_interview_id=partner_interview_id,
    )
    return render(request, "assessments/report.html", {"interview": interview})


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return HttpResponse(
        "<!doctype html><title>Something went wrong</title>"
        "<h1>Something went wrong</h1><p>We have been told and are looking into it.</p>",
        status=500,
    )

"""Plain Django views answering like the product's, with the product's queries."""

import base64
import binascii
import json

from django.http import HttpResponse, JsonResponse

from assessments import services
from assessments.models import Organization
from assessments.recordings.services import recording_url_of
from integrations.greenhouse.payloads import test_status_payload
from integrations.keys import api_key_authenticate
from integrations.services import interview_for_status

UNAUTHORIZED = {"error": "unauthorized", "message": "Invalid or revoked API key."}
NOT_FOUND = {"error": "not_found", "message": "No interview with that partner_interview_id."}


def organization_of(request) -> Organization | None:
    scheme, _, encoded = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, _, password = decoded.partition(":")
    api_key = api_key_authenticate((username or password).strip())
    return api_key.organization if api_key else None


def test_status(request):
    organization = organization_of(request)
    if organization is None:
        return JsonResponse(UNAUTHORIZED, status=401)
    interview = interview_for_status(
        organization=organization,
        partner_interview_id=request.GET.get("partner_interview_id", "").strip(),
    )
    if interview is None:
        return JsonResponse(NOT_FOUND, status=404)
    recording_url = recording_url_of(getattr(interview, "recording", None))
    return JsonResponse(test_status_payload(interview, recording_url=recording_url))


def list_tests(request):
    organization = organization_of(request)
    if organization is None:
        return JsonResponse(UNAUTHORIZED, status=401)
    tests = [
        {
            "partner_test_id": test.partner_test_id,
            "partner_test_name": test.name,
            "description": test.description,
        }
        for test in services.tests_enabled_for(organization)
    ]
    return JsonResponse(tests, safe=False)


def send_test(request):
    """Trusts its input (no validation, no SSRF guard): the floor under the product's."""
    organization = organization_of(request)
    if organization is None:
        return JsonResponse(UNAUTHORIZED, status=401)
    data = json.loads(request.body)
    test = services.test_enabled_get(
        organization=organization, partner_test_id=data["partner_test_id"]
    )
    candidate = data["candidate"]
    interview, _ = services.interview_send(
        organization=organization,
        test=test,
        candidate=services.CandidateData(
            first_name=candidate["first_name"],
            last_name=candidate["last_name"],
            email=candidate["email"],
            profile_url=candidate.get("greenhouse_profile_url", ""),
        ),
        source="greenhouse",
        callback_url=data["url"],
    )
    return JsonResponse({"partner_interview_id": interview.partner_interview_id})


def not_found(request, report_token):
    return JsonResponse(NOT_FOUND, status=404)


def healthz(request):
    return HttpResponse("ok")

"""The Greenhouse Assessment Partner API (and MarioHR's richer flavour of it)."""

import re

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.models import Interview
from assessments.recordings.services import recording_url_of
from assessments.services import CallbackUrlTaken
from mariohr.api_errors import error_body

from .. import request_log
from ..api import json_response
from ..catalog import catalog_for
from ..intake import CandidateData, UnknownTest, interview_start
from ..services import error_report_store, interview_for_status
from .parsing import greenhouse_ids_from_profile_url
from .payloads import test_status_payload
from .serializers import ResponseErrorInputSerializer, SendTestInputSerializer

# Ids we issue are token_urlsafe(16); anything else cannot exist, so it is not looked up.
PARTNER_INTERVIEW_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
SOURCE = "greenhouse"
TAG = "Greenhouse"
NOT_FOUND = {"error": "not_found", "message": "No interview with that partner_interview_id."}

ERROR_BODY = inline_serializer(
    "ErrorBody",
    {
        "error": serializers.CharField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(), required=False),
    },
)


class ListTestsView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Tests enabled for the calling organization",
        responses={
            200: inline_serializer(
                "PartnerTest",
                {
                    "partner_test_id": serializers.CharField(),
                    "partner_test_name": serializers.CharField(),
                    "description": serializers.CharField(),
                },
                many=True,
            ),
            401: ERROR_BODY,
            429: ERROR_BODY,
        },
    )
    def get(self, request):
        return json_response(
            [
                {
                    "partner_test_id": entry.partner_test_id,
                    "partner_test_name": entry.name,
                    "description": entry.description,
                }
                for entry in catalog_for(request.user)
            ]
        )


class SendTestView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Send a test to a candidate (idempotent per callback url)",
        request=SendTestInputSerializer,
        responses={
            200: inline_serializer(
                "SendTestResponse", {"partner_interview_id": serializers.CharField()}
            ),
            400: ERROR_BODY,
            401: ERROR_BODY,
            409: ERROR_BODY,
            429: ERROR_BODY,
            413: ERROR_BODY,
        },
    )
    def post(self, request):
        data = _validated(SendTestInputSerializer, request.data, organization=request.user)
        candidate = data["candidate"]
        profile_url = candidate["greenhouse_profile_url"]
        ats_candidate_id, ats_application_id = greenhouse_ids_from_profile_url(profile_url)
        try:
            interview, _created = interview_start(
                organization=request.user,
                source=SOURCE,
                partner_test_id=data["partner_test_id"],
                candidate=CandidateData(
                    first_name=candidate["first_name"],
                    last_name=candidate["last_name"],
                    email=candidate["email"],
                    preferred_name=candidate.get("preferred_name") or "",
                    phone_number=candidate.get("phone_number") or "",
                    resume_url=candidate.get("resume_url") or "",
                    profile_url=profile_url,
                    ats_candidate_id=ats_candidate_id,
                    ats_application_id=ats_application_id,
                ),
                callback_url=data["callback_url"],
                sent_by=data.get("sent_by") or "",
            )
        except UnknownTest as unknown:
            raise serializers.ValidationError({"partner_test_id": [str(unknown)]}) from None
        except CallbackUrlTaken as taken:
            body = error_body("conflict", f"url: {taken}", {"url": [str(taken)]})
            return json_response(body, status=409)
        request_log.mark_interview(request, interview)
        return Response({"partner_interview_id": interview.partner_interview_id})


class TestStatusView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Status of one sent test",
        parameters=[OpenApiParameter("partner_interview_id", str, required=True)],
        responses={
            200: inline_serializer(
                "TestStatus",
                {
                    "partner_status": serializers.ChoiceField(Interview.Status.choices),
                    "partner_profile_url": serializers.URLField(required=False),
                    "partner_score": serializers.FloatField(required=False),
                    "metadata": serializers.DictField(),
                },
            ),
            400: ERROR_BODY,
            401: ERROR_BODY,
            429: ERROR_BODY,
            404: ERROR_BODY,
        },
    )
    def get(self, request):
        partner_interview_id = request.query_params.get("partner_interview_id", "").strip()
        if not partner_interview_id:
            raise serializers.ValidationError(
                {"partner_interview_id": ["This query parameter is required."]}
            )
        if not PARTNER_INTERVIEW_ID.fullmatch(partner_interview_id):
            return json_response(NOT_FOUND, status=404)
        interview = interview_for_status(
            organization=request.user, partner_interview_id=partner_interview_id
        )
        if interview is None:
            # Another organization's interview answers exactly like an unknown one.
            return json_response(NOT_FOUND, status=404)
        request_log.mark_interview(request, interview)
        recording = getattr(interview, "recording", None)  # joined: no query
        payload = test_status_payload(interview, recording_url=recording_url_of(recording))
        return json_response(payload)


class ResponseErrorView(APIView):
    @extend_schema(
        tags=[TAG],
        summary="Report a malformed response MarioHR sent (kept seven days)",
        request=ResponseErrorInputSerializer,
        responses={
            200: inline_serializer("ResponseErrorAck", {"status": serializers.CharField()}),
            400: ERROR_BODY,
            401: ERROR_BODY,
            429: ERROR_BODY,
        },
    )
    def post(self, request):
        data = _validated(ResponseErrorInputSerializer, request.data)
        error_report_store(organization=request.user, data=data, payload=request.data)
        return Response({"status": "received"})


def _validated(serializer_class, data, **context) -> dict:
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

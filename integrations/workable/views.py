"""The Workable Assessment Providers API: GET /tests, POST /assessments and the optional
GET /assessments/{id}/shared-link, authenticated with the organization's MarioHR API key
as ``Authorization: Bearer``."""

import re

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.views import APIView

from assessments.models import Interview
from assessments.services import CallbackUrlTaken, candidate_link

from .. import request_log
from ..api import json_response
from ..auth import BearerApiKeyAuthentication
from ..catalog import catalog_for
from ..errors import flatten_errors
from ..intake import UnknownTest
from .credentials import callback_domain_of, workable_settings_find
from .errors import envelope, validation_status
from .models import SOURCE
from .serializers import WorkableAssessmentInputSerializer
from .services import workable_assessment_create

TAG = "Workable"
# Ids we issue are token_urlsafe(16); anything else cannot exist, so it is not looked up.
ASSESSMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

ERROR = inline_serializer(
    "WorkableError",
    {
        "status": serializers.IntegerField(),
        "message": serializers.CharField(),
        "fields": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)


ASSESSMENT = inline_serializer("WorkableAssessment", {"assessment_id": serializers.CharField()})


def errors(*codes: int) -> dict:
    return {code: OpenApiResponse(ERROR) for code in (401, 429, *codes)}


class WorkableView(APIView):
    """Errors in Workable's envelope: {"status": <code>, "message": "…"}, plus the fields at
    fault. A missing field is a 422, a malformed one a 400, as Workable's partners answer."""

    authentication_classes = [BearerApiKeyAuthentication]

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError):
            fields = flatten_errors(exc.detail)
            status = validation_status(exc.get_codes())
            return json_response(envelope(status, _summary(fields), fields), status=status)
        return super().handle_exception(exc)

    def error_body(self, body: dict, status_code: int) -> dict:
        return envelope(status_code, body["message"], body.get("fields"))


class TestListView(WorkableView):
    @extend_schema(
        tags=[TAG],
        summary="The tests the calling organization offers (GET /tests)",
        responses={
            200: inline_serializer(
                "WorkableTests",
                {
                    "tests": inline_serializer(
                        "WorkableTest",
                        {"id": serializers.CharField(), "name": serializers.CharField()},
                        many=True,
                    )
                },
            ),
            **errors(),
        },
    )
    def get(self, request):
        tests = [
            {"id": entry.partner_test_id, "name": entry.name} for entry in catalog_for(request.user)
        ]
        return json_response({"tests": tests})


class AssessmentCreateView(WorkableView):
    @extend_schema(
        tags=[TAG],
        summary="Invite a candidate to a test (idempotent per callback_url)",
        request=WorkableAssessmentInputSerializer,
        responses={
            201: ASSESSMENT,
            200: OpenApiResponse(ASSESSMENT, "The same callback_url again: the first one."),
            **errors(400, 409, 413, 422),
        },
    )
    def post(self, request):
        settings_row = workable_settings_find(organization_id=request.user.pk)
        serializer = WorkableAssessmentInputSerializer(
            data=request.data,
            context={
                "callback_domain": callback_domain_of(settings_row),
                "organization": request.user,
            },
        )
        serializer.is_valid(raise_exception=True)
        try:
            result = workable_assessment_create(
                organization=request.user, data=serializer.validated_data
            )
        except UnknownTest as exc:
            fields = {"test_id": [f"{exc} Use an id from GET /tests."]}
            return json_response(envelope(422, _summary(fields), fields), status=422)
        except CallbackUrlTaken as taken:
            fields = {"callback_url": [str(taken)]}
            return json_response(envelope(409, _summary(fields), fields), status=409)
        request_log.mark_interview(request, result.interview)
        return json_response(
            {"assessment_id": result.interview.partner_interview_id},
            status=201 if result.created else 200,
        )


class SharedLinkView(WorkableView):
    @extend_schema(
        tags=[TAG],
        summary="The candidate's link to the assessment, while it can be taken",
        responses={
            200: inline_serializer(
                "WorkableSharedLink",
                {
                    "url": serializers.URLField(),
                    "ttl": serializers.CharField(),
                    "ttl_units": serializers.CharField(),
                },
            ),
            **errors(404, 409),
        },
    )
    def get(self, request, assessment_id: str):
        interview = None
        if ASSESSMENT_ID.fullmatch(assessment_id):
            interview = Interview.objects.filter(
                organization=request.user, source=SOURCE, partner_interview_id=assessment_id
            ).first()
        if interview is None:
            # Another organization's assessment answers exactly like an unknown one.
            return json_response(envelope(404, "No assessment with that id."), status=404)
        if not interview.is_live or interview.expires_at <= timezone.now():
            message = f"The assessment is {interview.get_status_display().lower()}: no link."
            return json_response(envelope(409, message), status=409)
        minutes = int((interview.expires_at - timezone.now()).total_seconds() // 60)
        return json_response(
            {"url": candidate_link(interview), "ttl": str(minutes), "ttl_units": "minutes"}
        )


def _summary(fields: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {' '.join(problems)}" for name, problems in fields.items())

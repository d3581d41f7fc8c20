"""The Ashby Assessments Partner API: assessment.list, assessment.start, assessment.cancel."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.models import Interview

from .. import request_log
from ..catalog import catalog_for, catalog_test_get
from ..errors import flatten_errors
from .errors import ERROR_CODES, envelope, recruiter_message
from .payloads import FIELD_TYPES, initial_update_request
from .serializers import AssessmentCancelInputSerializer, AssessmentStartInputSerializer
from .services import (
    AlreadyInProgress,
    NotCancellable,
    ashby_assessment_cancel,
    ashby_assessment_start,
)

SOURCE = "ashby"

ERROR_ENVELOPE = inline_serializer(
    "AshbyError",
    {
        "success": serializers.BooleanField(),
        "errors": serializers.ListField(child=serializers.CharField()),
        "errorInfo": inline_serializer(
            "AshbyErrorInfo",
            {
                "code": serializers.CharField(),
                "message": serializers.CharField(),
                "requestId": serializers.CharField(),
            },
        ),
        "message": serializers.CharField(),
    },
)
TYPED_FIELD = inline_serializer(
    "AshbyTypedField",
    {
        "identifier": serializers.CharField(),
        "label": serializers.CharField(),
        "type": serializers.ChoiceField(sorted(FIELD_TYPES)),
        "value": serializers.JSONField(),
        "description": serializers.CharField(required=False),
    },
)
ERRORS = {status: ERROR_ENVELOPE for status in (400, 401, 404, 409, 413, 415, 422, 429)}


def ashby_schema(name: str, summary: str, request, results):
    success = inline_serializer(name, {"success": serializers.BooleanField(), "results": results})
    return extend_schema(
        tags=["Ashby"], summary=summary, request=request, responses={200: success, **ERRORS}
    )


class AshbyView(APIView):
    """Answers in Ashby's envelope; problems a recruiter can fix become 422 {message}."""

    action = "process the request"

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.ValidationError):
            return _error(422, recruiter_message(flatten_errors(exc.detail), self.action))
        return super().handle_exception(exc)

    def error_body(self, body: dict, status_code: int) -> dict:
        return envelope(ERROR_CODES.get(status_code, body.get("error", "error")), body["message"])


class AssessmentListView(AshbyView):
    @ashby_schema(
        "AshbyListResponse",
        "assessment.list: the assessment types enabled for the calling organization",
        None,
        inline_serializer(
            "AshbyAssessmentType",
            {
                "assessment_type_id": serializers.CharField(),
                "name": serializers.CharField(),
                "description": serializers.CharField(),
            },
            many=True,
        ),
    )
    def post(self, request):
        results = [
            {
                "assessment_type_id": entry.partner_test_id,
                "name": entry.name,
                "description": entry.description,
            }
            for entry in catalog_for(request.user)
        ]
        return Response({"success": True, "results": results})


class AssessmentStartView(AshbyView):
    action = "start the assessment"

    @ashby_schema(
        "AshbyStartResponse",
        "assessment.start: send the assessment to the candidate",
        AssessmentStartInputSerializer,
        inline_serializer(
            "AshbyStarted",
            {
                "assessment_id": serializers.CharField(),
                "update_request": inline_serializer(
                    "AshbyUpdateRequest",
                    {
                        "assessment_id": serializers.CharField(),
                        "timestamp": serializers.IntegerField(),
                        "assessment_status": TYPED_FIELD,
                        "cancelled_reason": serializers.CharField(allow_null=True),
                        "metadata": serializers.ListField(child=TYPED_FIELD),
                    },
                ),
            },
        ),
    )
    def post(self, request):
        serializer = AssessmentStartInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        test = catalog_test_get(
            organization=request.user, partner_test_id=data["assessment_type_id"]
        )
        if test is None:
            return _error(
                422,
                f"The assessment '{data['assessment_type_id']}' is not available for your "
                "MarioHR account. Choose another assessment or ask your MarioHR account manager.",
            )
        try:
            interview = ashby_assessment_start(organization=request.user, test=test, data=data)
        except AlreadyInProgress:
            return _error(
                409,
                "This candidate already has this assessment in progress for this application. "
                "Cancel it first to send a new one.",
            )
        request_log.mark_interview(request, interview)
        return Response(
            {
                "success": True,
                "results": {
                    "assessment_id": interview.partner_interview_id,
                    "update_request": initial_update_request(interview),
                },
            }
        )


class AssessmentCancelView(AshbyView):
    action = "cancel the assessment"

    @ashby_schema(
        "AshbyCancelResponse",
        "assessment.cancel: cancel a sent assessment (idempotent)",
        AssessmentCancelInputSerializer,
        inline_serializer("AshbyCancelled", {"assessment_id": serializers.CharField()}),
    )
    def post(self, request):
        serializer = AssessmentCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assessment_id = serializer.validated_data["assessment_id"]
        interview = Interview.objects.filter(
            organization=request.user,
            source=SOURCE,
            partner_interview_id=assessment_id,
        ).first()
        if interview is None:
            return _error(404, f"No assessment with id '{assessment_id}'.")
        request_log.mark_interview(request, interview)
        try:
            ashby_assessment_cancel(interview=interview)
        except NotCancellable:
            return _error(
                422, "This assessment is already complete and can no longer be cancelled."
            )
        return Response({"success": True, "results": {"assessment_id": assessment_id}})


def _error(status_code: int, message: str) -> Response:
    return Response(envelope(ERROR_CODES[status_code], message), status=status_code)

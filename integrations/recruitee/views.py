"""The two URLs Recruitee calls (registered in the partner's ``urls``): tests, send_candidate.

Recruitee authenticates with ``Authorization: Bearer <the organization's MarioHR API key>``,
which the customer pastes into Recruitee; the key picks the organization."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.services import CallbackUrlTaken
from integrations import request_log
from integrations.api import json_response
from integrations.auth import BearerApiKeyAuthentication
from integrations.catalog import catalog_for
from integrations.errors import flatten_errors
from integrations.ssrf import UnsafeURL
from mariohr.api_errors import error_body

from .errors import invalid
from .serializers import (
    ErrorSerializer,
    SendCandidateInputSerializer,
    SendCandidateOutputSerializer,
    TestOutputSerializer,
)
from .services import CompanyMismatch, TestNotAvailable, recruitee_candidate_send

TAG = "Recruitee"
ERRORS = {status: ErrorSerializer for status in (400, 401, 403, 409, 413, 415, 422, 429)}


class RecruiteeView(APIView):
    authentication_classes = [BearerApiKeyAuthentication]

    def handle_exception(self, exc):
        # Input a recruiter can fix is a 422 with a sentence Recruitee can show.
        if isinstance(exc, exceptions.ValidationError):
            body = invalid(flatten_errors(exc.detail))
            return Response(body, status=422)
        return super().handle_exception(exc)


class TestsView(RecruiteeView):
    @extend_schema(
        tags=[TAG],
        summary="Recruitee: the tests enabled for the calling organization (bare array)",
        responses={200: TestOutputSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        tests = [{"id": e.partner_test_id, "name": e.name} for e in catalog_for(request.user)]
        return json_response(tests)


class SendCandidateView(RecruiteeView):
    @extend_schema(
        tags=[TAG],
        summary="Recruitee: send the test to the candidate (idempotent per report_id)",
        request=SendCandidateInputSerializer,
        responses={
            200: SendCandidateOutputSerializer,
            201: SendCandidateOutputSerializer,
            **ERRORS,
        },
    )
    def post(self, request):
        serializer = SendCandidateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            interview, created = recruitee_candidate_send(organization=request.user, data=data)
        except TestNotAvailable:
            return _error(
                422,
                invalid({"test_id": [f"'{data['test_id']}' is not enabled for your account."]}),
            )
        except CompanyMismatch:
            return _error(
                403,
                error_body(
                    "company_mismatch",
                    "This MarioHR API key is connected to another Recruitee company: use the key "
                    "of the MarioHR account for this company.",
                ),
            )
        except CallbackUrlTaken as taken:
            return _error(
                409,
                error_body(
                    "conflict",
                    "MarioHR could not send the test: another integration's assessment in your "
                    "account already uses this report's URL.",
                    {"report_url": [str(taken)]},
                ),
            )
        except UnsafeURL as problem:
            return _error(
                422,
                error_body(
                    "unsafe_report_url",
                    f"MarioHR's Recruitee settings for your account are wrong: the report URL "
                    f"{problem} Ask your MarioHR account manager.",
                    {"report_url": [str(problem)]},
                ),
            )
        request_log.mark_interview(request, interview)
        body = {
            "id": interview.partner_interview_id,
            "report_id": str(data["report_id"]),
            "status": interview.status,
        }
        return Response(body, status=201 if created else 200)


def _error(status: int, body: dict) -> Response:
    return Response(body, status=status)

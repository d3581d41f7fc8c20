"""The endpoints Teamtailor calls: the trigger form (/config), the webhook, the activation
form and its validation."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from assessments.services import CallbackUrlTaken

from .. import request_log
from ..catalog import catalog_for
from ..intake import UnknownTest
from ..ssrf import UnsafeURL
from .auth import ProviderKeyAuthentication, webhook_signature_valid
from .payloads import TEST_FIELD, activation_config, config_error, trigger_config, webhook_answer
from .serializers import WebhookInputSerializer
from .services import teamtailor_settings_of, teamtailor_webhook_receive

TAG = "Teamtailor"
UPDATE_URL_FIELD = "partner-event.partner-result.update-url"
ERRORS = inline_serializer(
    "TeamtailorErrors", {"errors": serializers.ListField(child=serializers.CharField())}
)
FORM = inline_serializer("TeamtailorForm", {"config": serializers.DictField()})
WEBHOOK_ANSWER = inline_serializer(
    "TeamtailorWebhookAnswer", {"partner_result_attributes": serializers.DictField()}
)
TEXT_ERROR_STATUSES = (400, 401, 409, 413, 415, 422, 429)


def field_messages(fields: dict[str, list[str]]) -> list[str]:
    return [f"{name}: {' '.join(problems)}" for name, problems in fields.items()]


class TeamtailorView(APIView):
    """Errors as ``{"errors": ["…"]}``, the list of strings Teamtailor renders."""

    authentication_classes = [ProviderKeyAuthentication]

    def error_body(self, body: dict, status_code: int) -> dict:
        fields = body.get("fields")
        return {"errors": field_messages(fields) if fields else [body["message"]]}


class ConfigView(TeamtailorView):
    @extend_schema(
        tags=[TAG],
        summary="The trigger form: which MarioHR test to send (the organization's catalog)",
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, required=False)
            for name in ("job_id", "stage_id", "user_id")
        ],
        # A 400 comes from the project's request checks, before the view: the app envelope.
        responses={200: FORM, 400: ERRORS, 401: FORM, 429: FORM},
    )
    def get(self, request):
        return Response(trigger_config(catalog_for(request.user)))

    def error_body(self, body: dict, status_code: int) -> dict:
        # Teamtailor shows the form it gets; an error field says what is wrong in it.
        return config_error(body["message"])


class WebhookView(TeamtailorView):
    """A trigger fired: send the test. Teamtailor shows a failure's plain-text body on the
    candidate's card, so errors here are one line of text naming the field."""

    @extend_schema(
        tags=[TAG],
        summary="Webhook: a trigger asks for a test for a candidate (idempotent per partner "
        "result)",
        request=WebhookInputSerializer,
        responses={
            200: WEBHOOK_ANSWER,
            201: WEBHOOK_ANSWER,
            **{(status, "text/plain"): OpenApiTypes.STR for status in TEXT_ERROR_STATUSES},
        },
    )
    def post(self, request):
        serializer = WebhookInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = serializer.validated_data["partner-event"]
        settings_row = teamtailor_settings_of(organization=request.user)
        secret = settings_row.webhook_secret() if settings_row else ""
        if secret and not webhook_signature_valid(
            request.headers.get("Teamtailor-Signature", ""),
            partner_event_id=event["id"],
            secret=secret,
        ):
            raise exceptions.AuthenticationFailed(
                "Teamtailor-Signature is missing, stale or does not match the webhook secret."
            )
        company = event.get("company") or serializer.validated_data.get("company")
        try:
            interview, created = teamtailor_webhook_receive(
                organization=request.user, event=event, company=company, settings_row=settings_row
            )
        except UnsafeURL as problem:
            raise exceptions.ValidationError({UPDATE_URL_FIELD: [str(problem)]}) from None
        except CallbackUrlTaken as taken:
            return _text(409, f"{UPDATE_URL_FIELD}: {taken}")
        except UnknownTest as unknown:
            return _text(
                422,
                f"partner-event.webhook-data.{TEST_FIELD}: the MarioHR test "
                f"'{unknown.partner_test_id}' is not available for your account; choose "
                "another in the trigger.",
            )
        request_log.mark_interview(request, interview)
        return Response(webhook_answer(interview), status=201 if created else 200)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        text = "; ".join(response.data.get("errors") or []) or "Request refused."
        plain = _text(response.status_code, text)
        for header in ("WWW-Authenticate", "Retry-After", "Allow"):
            if header in response:
                plain[header] = response[header]
        return plain


class ActivationView(TeamtailorView):
    """The activation form for dynamic activation config. Teamtailor asks for it before the
    customer has a provider key, and it holds nothing but the form: no authentication."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=[TAG],
        summary="The activation form (asks for the MarioHR API key)",
        parameters=[OpenApiParameter("company_uuid", OpenApiTypes.STR, required=False)],
        responses={200: FORM, 400: ERRORS},
    )
    def get(self, request):
        return Response(activation_config())


class ActivationValidateView(TeamtailorView):
    @extend_schema(
        tags=[TAG],
        summary="Validate an activation: the provider key carries a valid MarioHR API key",
        responses={
            200: inline_serializer(
                "TeamtailorActivationValid",
                {"valid": serializers.BooleanField(), "organization": serializers.CharField()},
            ),
            400: ERRORS,
            401: ERRORS,
            429: ERRORS,
        },
    )
    def get(self, request):
        return Response({"valid": True, "organization": request.user.name})


def _text(status_code: int, text: str) -> HttpResponse:
    return HttpResponse(text, status=status_code, content_type="text/plain; charset=utf-8")

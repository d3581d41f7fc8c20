from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..fields import CallbackURLField, optional_text
from ..sandbox.targets import sandbox_receiver_allowed
from ..ssrf import UnsafeURL


class CandidateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=200)
    last_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=320)
    greenhouse_profile_url = serializers.URLField(max_length=2000)
    preferred_name = optional_text(200)
    phone_number = optional_text(100)
    resume_url = serializers.URLField(
        required=False, allow_null=True, allow_blank=True, max_length=2000
    )
    # An old Greenhouse doc example nested the callback here; accepted as a fallback.
    url = CallbackURLField()


class SendTestInputSerializer(serializers.Serializer):
    partner_test_id = serializers.CharField(max_length=100)
    candidate = CandidateSerializer()
    url = CallbackURLField()
    sent_by = optional_text(320)

    def to_internal_value(self, data):
        errors, attrs = {}, None
        try:
            attrs = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            errors = dict(exc.detail)
        if attrs is not None:
            callback_url = attrs.get("url") or attrs["candidate"].get("url")
        else:
            callback_url = _raw_callback_url(data)
        if not callback_url and "url" not in errors and isinstance(data, dict):
            errors["url"] = ["This field is required."]
        elif attrs is not None:
            # The Basic credentials go wherever it points: the receiver only for a sandbox's own.
            organization = self.context.get("organization")
            try:
                sandbox_receiver_allowed(callback_url, organization=organization)
            except UnsafeURL as exc:
                errors["url"] = [f"Callback URL {exc}"]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["callback_url"] = callback_url
        return attrs


def _raw_callback_url(data) -> str:
    """The callback URL of a body that failed validation, only to tell whether it is missing."""
    if not isinstance(data, dict):
        return ""
    candidate = data.get("candidate")
    nested = candidate.get("url") if isinstance(candidate, dict) else None
    for value in (data.get("url"), nested):
        if isinstance(value, str) and value.strip():
            return value
    return ""


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string"},
            {
                "type": "object",
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            },
        ]
    }
)
class ErrorItemField(serializers.Field):
    """Greenhouse sends strings; the seed's OpenAPI shows {code, message}. Both are kept;
    other keys of an object are dropped."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data[:2000]
        if isinstance(data, dict):
            kept = {k: data[k] for k in ("code", "message") if data.get(k) is not None}
            if kept and all(isinstance(v, str | int) for v in kept.values()):
                return {k: str(v)[:2000] for k, v in kept.items()}
        raise serializers.ValidationError(
            "Each error must be a string or an object with a string code and/or message."
        )

    def to_representation(self, value):
        return value


class ResponseErrorInputSerializer(serializers.Serializer):
    api_call = optional_text(100)
    errors = serializers.ListField(child=ErrorItemField(), max_length=100)
    partner_test_id = optional_text(200)
    partner_test_name = optional_text(300)
    partner_interview_id = optional_text(200)
    candidate_email = optional_text(320)

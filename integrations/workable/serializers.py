"""What Workable sends to POST /assessments, as Talytica's and Taali's code model it: only
test_id, callback_url and candidate.email are required; unknown keys are ignored."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .credentials import CallbackNotAllowed, callback_url_check
from .models import DEFAULT_CALLBACK_DOMAIN


def optional_text(max_length: int):
    return serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=max_length
    )


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class TestIdField(serializers.Field):
    """Workable's examples give test ids as numbers and as strings: both are read as text."""

    default_error_messages = {"invalid": "Must be a test id from GET /tests (text or number)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        text = str(data).strip()
        if not text or len(text) > 100:
            self.fail("invalid")
        return text

    def to_representation(self, value):
        return value


class WorkableCandidateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)
    first_name = optional_text(200)
    last_name = optional_text(200)
    phone = optional_text(100)
    id = optional_text(100)
    resume_url = serializers.URLField(
        required=False, allow_null=True, allow_blank=True, max_length=2000
    )


class WorkableAssessmentInputSerializer(serializers.Serializer):
    test_id = TestIdField()
    callback_url = serializers.CharField(max_length=2000)
    candidate = WorkableCandidateSerializer()
    job_shortcode = optional_text(100)
    job_title = optional_text(300)
    job_id = optional_text(100)

    def validate_callback_url(self, value: str) -> str:
        # The results PUT carries the organization's Workable token: only to its domain.
        domain = self.context.get("callback_domain", DEFAULT_CALLBACK_DOMAIN)
        try:
            return callback_url_check(
                value, domain=domain, organization=self.context.get("organization")
            )
        except CallbackNotAllowed as exc:
            raise serializers.ValidationError(f"The callback URL {exc}") from None

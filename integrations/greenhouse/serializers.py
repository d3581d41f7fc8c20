from rest_framework import serializers

from ..ssrf import UnsafeURL, check_url


def optional_text(max_length: int):
    return serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=max_length
    )


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
    url = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000)


class SendTestInputSerializer(serializers.Serializer):
    partner_test_id = serializers.CharField(max_length=100)
    candidate = CandidateSerializer()
    url = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=2000)
    sent_by = optional_text(320)

    def validate(self, attrs):
        url = attrs.get("url") or attrs["candidate"].get("url")
        if not url:
            raise serializers.ValidationError({"url": ["This field is required."]})
        try:
            checked = check_url(url, require_resolution=False)
        except UnsafeURL as exc:
            raise serializers.ValidationError({"url": [f"Callback URL {exc}"]}) from None
        attrs["callback_url"] = checked.url
        return attrs


class ErrorItemField(serializers.Field):
    """Greenhouse sends strings; the seed's OpenAPI shows {code, message}. Both are kept."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            return data[:2000]
        if isinstance(data, dict) and all(isinstance(v, str | type(None)) for v in data.values()):
            return {k: (v or "")[:2000] for k, v in data.items() if k in ("code", "message")}
        raise serializers.ValidationError("Each error must be a string or {code, message}.")

    def to_representation(self, value):
        return value


class ResponseErrorInputSerializer(serializers.Serializer):
    api_call = optional_text(100)
    errors = serializers.ListField(child=ErrorItemField(), max_length=100)
    partner_test_id = optional_text(200)
    partner_test_name = optional_text(300)
    partner_interview_id = optional_text(200)
    candidate_email = optional_text(320)

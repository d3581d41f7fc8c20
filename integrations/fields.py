"""Serializer fields every ATS plug-in's wire format uses."""

from rest_framework import serializers

from .ssrf import UnsafeURL, check_url


def optional_text(max_length: int):
    return serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=max_length
    )


class CallbackURLField(serializers.CharField):
    """The ATS's callback URL, passed through the SSRF guard as a field of its own, so its
    error is reported together with every other field error."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(required=False, allow_null=True, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        url = super().to_internal_value(data)
        if not url:
            return url
        try:
            return check_url(url, require_resolution=False).url
        except UnsafeURL as exc:
            raise serializers.ValidationError(f"Callback URL {exc}") from None

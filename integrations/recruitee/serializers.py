from rest_framework import serializers

BIGINT_MAX = 2**63 - 1


class SendCandidateInputSerializer(serializers.Serializer):
    """What Recruitee posts when a recruiter presses Send. Keys from the partner's extra
    inputs (``phone``, ``admin``…) may come along: unknown keys are ignored."""

    first_name = serializers.CharField(max_length=200)
    last_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=320)
    candidate_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    company_id = serializers.IntegerField(min_value=1, max_value=BIGINT_MAX)
    report_id = serializers.UUIDField()
    # A string in the example; a number is accepted and read as its text.
    test_id = serializers.CharField(max_length=100)
    test_name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, allow_null=True
    )
    phone = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)


class TestOutputSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="MarioHR's test id (a slug); Recruitee sends it back.")
    name = serializers.CharField()


class SendCandidateOutputSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="MarioHR's interview id.")
    report_id = serializers.CharField()
    status = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    message = serializers.CharField(help_text="One sentence Recruitee can show the recruiter.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )

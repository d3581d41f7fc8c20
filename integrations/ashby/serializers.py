from rest_framework import serializers

from ..fields import optional_text


class AshbyCandidateSerializer(serializers.Serializer):
    ashby_id = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=200)
    last_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=320)
    ashby_profile_url = serializers.URLField(max_length=2000)


class AshbyApplicationSerializer(serializers.Serializer):
    ashby_id = serializers.CharField(max_length=100)
    # Hired|Archived|Active|Lead today; other strings are tolerated.
    status = serializers.CharField(max_length=50)


class HiringTeamMemberSerializer(serializers.Serializer):
    userId = optional_text(100)  # noqa: N815 (Ashby's field name)
    firstName = optional_text(200)  # noqa: N815
    lastName = optional_text(200)  # noqa: N815
    email = optional_text(320)
    role = optional_text(100)


class AshbyJobSerializer(serializers.Serializer):
    ashby_id = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=300)
    ashby_job_url = serializers.URLField(max_length=2000)
    req_id = optional_text(100)
    hiringTeam = HiringTeamMemberSerializer(  # noqa: N815
        many=True, required=False, allow_null=True, max_length=100
    )


class AssessmentStartInputSerializer(serializers.Serializer):
    assessment_type_id = serializers.CharField(max_length=100)
    candidate = AshbyCandidateSerializer()
    application = AshbyApplicationSerializer()
    job = AshbyJobSerializer()
    additional_fields = serializers.JSONField(required=False, allow_null=True)


class AssessmentCancelInputSerializer(serializers.Serializer):
    assessment_id = serializers.CharField(max_length=64)

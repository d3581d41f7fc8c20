"""Test.recording_required becomes a RecordingPolicy row: the policy is the only switch."""

from django.db import migrations


def policies_from_flag(apps, schema_editor):
    Test = apps.get_model("assessments", "Test")
    RecordingPolicy = apps.get_model("recordings", "RecordingPolicy")
    for test in Test.objects.filter(recording_required=True, recording_policy__isnull=True):
        RecordingPolicy.objects.create(test=test, mode="required")


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_interview_to_review"),
        ("recordings", "0001_initial"),
    ]

    operations = [migrations.RunPython(policies_from_flag, migrations.RunPython.noop)]

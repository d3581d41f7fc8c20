import django.db.models.deletion
from django.db import migrations, models


def recordings_to_their_attempts(apps, schema_editor):
    """Before this, a retake left the recording on the interview, with the attempt that made
    it (its snapshot says "recording": true, at most one per interview): move it there."""
    Recording = apps.get_model("recordings", "Recording")
    InterviewAttempt = apps.get_model("assessments", "InterviewAttempt")
    made = InterviewAttempt.objects.filter(snapshot__recording=True).order_by("number")
    for attempt in made.iterator():
        Recording.objects.filter(interview_id=attempt.interview_id).update(
            interview=None, archived_attempt=attempt
        )


def recordings_back_to_interviews(apps, schema_editor):
    """Back to one recording per interview: an archived attempt's recording returns to its
    interview where that has none; otherwise the reverse stops rather than delete one."""
    Recording = apps.get_model("recordings", "Recording")
    archived = Recording.objects.filter(interview__isnull=True).select_related("archived_attempt")
    for recording in archived.order_by("-archived_attempt__number"):
        attempt = recording.archived_attempt
        if attempt is None or Recording.objects.filter(interview_id=attempt.interview_id).exists():
            raise RuntimeError(
                f"Recording {recording.pk} cannot go back to its interview, which holds "
                "another attempt's recording; delete one of them first."
            )
        recording.interview_id = attempt.interview_id
        recording.archived_attempt = None
        recording.save(update_fields=["interview", "archived_attempt"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_hiring_team_tools"),
        ("recordings", "0005_chunk_segment_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="recording",
            name="archived_attempt",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recording",
                to="assessments.interviewattempt",
            ),
        ),
        migrations.AlterField(
            model_name="recording",
            name="interview",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recording",
                to="assessments.interview",
            ),
        ),
        migrations.RunPython(recordings_to_their_attempts, recordings_back_to_interviews),
    ]

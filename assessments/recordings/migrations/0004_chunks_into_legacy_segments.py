"""Chunks received before segments existed belong to one "legacy" segment per recording."""

from django.db import migrations


def chunks_into_legacy_segments(apps, schema_editor):
    Recording = apps.get_model("recordings", "Recording")
    RecordingSegment = apps.get_model("recordings", "RecordingSegment")
    RecordingChunk = apps.get_model("recordings", "RecordingChunk")
    with_chunks = Recording.objects.filter(chunks__segment__isnull=True).distinct()
    for recording in with_chunks.select_related("interview"):
        began = recording.consent_at or recording.interview.started_at or recording.created_at
        segment, _ = RecordingSegment.objects.get_or_create(
            recording=recording, client_id="legacy", defaults={"started_at": began}
        )
        RecordingChunk.objects.filter(recording=recording, segment__isnull=True).update(
            segment=segment
        )


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0003_segments"),
    ]

    operations = [
        migrations.RunPython(chunks_into_legacy_segments, migrations.RunPython.noop),
    ]

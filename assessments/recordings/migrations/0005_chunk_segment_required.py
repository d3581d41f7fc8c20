import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0004_chunks_into_legacy_segments"),
    ]

    operations = [
        migrations.AlterField(
            model_name="recordingchunk",
            name="segment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="chunks",
                to="recordings.recordingsegment",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="recordingchunk",
            name="unique_recording_chunk_seq",
        ),
        migrations.AddConstraint(
            model_name="recordingchunk",
            constraint=models.UniqueConstraint(
                fields=("segment", "seq"), name="unique_segment_chunk_seq"
            ),
        ),
    ]

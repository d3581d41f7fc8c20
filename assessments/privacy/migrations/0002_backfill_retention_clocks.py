"""Start the retention clock of interviews that ended before clocks existed."""

from django.db import migrations

ENDED = ("submitted", "complete", "expired", "cancelled")


def backfill(apps, schema_editor):
    Interview = apps.get_model("assessments", "Interview")
    RetentionClock = apps.get_model("privacy", "RetentionClock")
    batch = []
    ended = Interview.objects.filter(status__in=ENDED).order_by("pk")
    for interview in ended.iterator(chunk_size=2000):
        ended_at = (
            interview.submitted_at
            or interview.cancelled_at
            or (interview.expires_at if interview.status == "expired" else None)
            or interview.status_changed_at
        )
        batch.append(
            RetentionClock(
                interview_id=interview.pk,
                organization_id=interview.organization_id,
                ended_at=ended_at,
            )
        )
        if len(batch) >= 2000:
            RetentionClock.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    RetentionClock.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

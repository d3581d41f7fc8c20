import django.db.models.query_utils
from django.db import migrations, models

from mariohr.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY on PostgreSQL

    dependencies = [
        ("assessments", "0005_interview_report_token"),
    ]

    operations = [
        AddIndexOnline(
            model_name="interview",
            index=models.Index(fields=["sent_at", "id"], name="interview_sent_at_id"),
        ),
        AddIndexOnline(
            model_name="interview",
            index=models.Index(
                condition=django.db.models.query_utils.Q(("status", "submitted")),
                fields=["submitted_at", "id"],
                name="interview_review_queue",
            ),
        ),
    ]

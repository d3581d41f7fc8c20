import django.db.models.query_utils
from django.db import migrations, models

from mariohr.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY on PostgreSQL

    dependencies = [
        ("delivery", "0002_dedup_key"),
    ]

    operations = [
        AddIndexOnline(
            model_name="delivery",
            index=models.Index(
                condition=django.db.models.query_utils.Q(
                    ("status__in", ["pending", "retrying"])
                ),
                fields=["next_attempt_at", "id"],
                name="delivery_due",
            ),
        ),
    ]

from django.db import migrations, models

from mariohr.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY on PostgreSQL

    dependencies = [
        ("delivery", "0003_delivery_due_index"),
    ]

    operations = [
        # A column with a constant default: no table rewrite on PostgreSQL 11+.
        migrations.AddField(
            model_name="delivery",
            name="request_id",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="deliveryattempt",
            name="request_id",
            field=models.CharField(blank=True, max_length=200),
        ),
        AddIndexOnline(
            model_name="delivery",
            index=models.Index(fields=["request_id"], name="delivery_request_id"),
        ),
        AddIndexOnline(
            model_name="deliveryattempt",
            index=models.Index(fields=["request_id"], name="delivery_attempt_request_id"),
        ),
    ]

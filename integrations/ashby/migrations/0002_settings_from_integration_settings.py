"""The Ashby key and base URL move from the shared integration settings to Ashby's own model."""

from django.db import migrations


def copy_forward(apps, schema_editor):
    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    AshbySettings = apps.get_model("ashby", "AshbySettings")
    rows = IntegrationSettings.objects.exclude(
        ashby_api_key_encrypted="", ashby_base_url="https://api.ashbyhq.com"
    )
    for row in rows.iterator():
        AshbySettings.objects.update_or_create(
            organization_id=row.organization_id,
            defaults={"api_key_encrypted": row.ashby_api_key_encrypted, "base_url": row.ashby_base_url},
        )


def copy_back(apps, schema_editor):
    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    AshbySettings = apps.get_model("ashby", "AshbySettings")
    for row in AshbySettings.objects.iterator():
        IntegrationSettings.objects.update_or_create(
            organization_id=row.organization_id,
            defaults={"ashby_api_key_encrypted": row.api_key_encrypted, "ashby_base_url": row.base_url},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ashby", "0001_initial"),
        ("integrations", "0003_outbound_username_encrypted"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_back)]

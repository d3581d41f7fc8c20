"""The results PATCH's Basic credentials move from the shared integration settings to
Greenhouse's own model (the tokens are copied as they are: same keys, same encryption)."""

from django.db import migrations


def copy_forward(apps, schema_editor):
    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    GreenhouseSettings = apps.get_model("greenhouse", "GreenhouseSettings")
    rows = IntegrationSettings.objects.exclude(
        outbound_username_encrypted="", outbound_password_encrypted=""
    )
    for row in rows.iterator():
        GreenhouseSettings.objects.update_or_create(
            organization_id=row.organization_id,
            defaults={
                "username_encrypted": row.outbound_username_encrypted,
                "password_encrypted": row.outbound_password_encrypted,
            },
        )


def copy_back(apps, schema_editor):
    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    GreenhouseSettings = apps.get_model("greenhouse", "GreenhouseSettings")
    for row in GreenhouseSettings.objects.iterator():
        IntegrationSettings.objects.update_or_create(
            organization_id=row.organization_id,
            defaults={
                "outbound_username_encrypted": row.username_encrypted,
                "outbound_password_encrypted": row.password_encrypted,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("greenhouse", "0001_initial"),
        ("integrations", "0004_ashby_settings_moved"),
    ]

    operations = [migrations.RunPython(copy_forward, copy_back)]

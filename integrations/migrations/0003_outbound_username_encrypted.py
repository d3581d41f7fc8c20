"""The outbound username may be the customer's ATS API key: store it encrypted too."""

from django.db import migrations, models


def encrypt_usernames(apps, schema_editor):
    from integrations.crypto import encrypt

    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    for row in IntegrationSettings.objects.exclude(outbound_username=""):
        row.outbound_username_encrypted = encrypt(row.outbound_username)
        row.save(update_fields=["outbound_username_encrypted"])


def decrypt_usernames(apps, schema_editor):
    from integrations.crypto import decrypt

    IntegrationSettings = apps.get_model("integrations", "IntegrationSettings")
    for row in IntegrationSettings.objects.exclude(outbound_username_encrypted=""):
        row.outbound_username = decrypt(row.outbound_username_encrypted)
        row.save(update_fields=["outbound_username"])


class Migration(migrations.Migration):
    dependencies = [("integrations", "0002_integration_settings")]

    operations = [
        migrations.AddField(
            model_name="integrationsettings",
            name="outbound_username_encrypted",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(encrypt_usernames, decrypt_usernames),
        migrations.RemoveField(model_name="integrationsettings", name="outbound_username"),
    ]

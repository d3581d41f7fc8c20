"""Report tokens: a new unguessable key for the report link, drawn for every interview.

A unique column cannot be added to filled rows in one step (every row would get the same
default), so: add it nullable, draw a distinct token per row, then make it unique and
required. Rows that exist now keep their old /api/report/<partner_interview_id> link
(report_legacy_link), which the ATS may have stored; new rows never get one.
"""

from django.db import migrations, models

import assessments.models


def draw_report_tokens(apps, schema_editor):
    Interview = apps.get_model("assessments", "Interview")
    for pk in Interview.objects.filter(report_token=None).values_list("pk", flat=True).iterator():
        Interview.objects.filter(pk=pk).update(report_token=assessments.models.new_report_token())


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_remove_test_recording_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="interview",
            name="report_legacy_link",
            # True for the rows that exist now; the state's default becomes False below.
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AlterField(
            model_name="interview",
            name="report_legacy_link",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="interview",
            name="report_token",
            field=models.CharField(editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(draw_report_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="interview",
            name="report_token",
            field=models.CharField(
                default=assessments.models.new_report_token,
                editable=False,
                max_length=64,
                unique=True,
            ),
        ),
    ]

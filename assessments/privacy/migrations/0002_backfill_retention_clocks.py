"""Start the retention clock of interviews that ended before clocks existed."""

from django.db import migrations

ENDED = ("submitted", "complete", "expired", "cancelled")


def backfill(apps, schema_editor):
    # One INSERT ... SELECT instead of a Python loop: at a million interviews a deploy waits
    # on this. PostgreSQL and SQLite 3.24+ both take ON CONFLICT; SQLite needs the WHERE
    # clause to parse an upsert after a SELECT, which the status filter gives it.
    interview = apps.get_model("assessments", "Interview")._meta
    clock = apps.get_model("privacy", "RetentionClock")._meta
    quote = schema_editor.quote_name

    def column(meta, name):
        return quote(meta.get_field(name).column)

    status = column(interview, "status")
    # The clocks' rule: when it was submitted, else cancelled, else the deadline it expired
    # at, else the last status change (never null).
    ended_at = (
        f"COALESCE({column(interview, 'submitted_at')}, {column(interview, 'cancelled_at')}, "
        f"CASE WHEN {status} = %s THEN {column(interview, 'expires_at')} END, "
        f"{column(interview, 'status_changed_at')})"
    )
    placeholders = ", ".join(["%s"] * len(ENDED))
    # Only quoted names from the models go into the text; the statuses are parameters.
    sql = (
        f"INSERT INTO {quote(clock.db_table)} "  # noqa: S608
        f"({column(clock, 'interview')}, {column(clock, 'organization')}, "
        f"{column(clock, 'ended_at')}) "
        f"SELECT {quote(interview.pk.column)}, {column(interview, 'organization')}, {ended_at} "
        f"FROM {quote(interview.db_table)} WHERE {status} IN ({placeholders}) "
        f"ON CONFLICT ({column(clock, 'interview')}) DO NOTHING"
    )
    schema_editor.execute(sql, ["expired", *ENDED])


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

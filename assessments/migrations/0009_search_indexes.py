"""Indexes for the admin's interview search (assessments.selectors.interview_search).

Case-insensitive prefix search (``UPPER(col) LIKE 'TERM%'``) can use a btree only with the
pattern operator class whatever the database's collation, and Django's ``Index`` cannot
declare one portably (SQLite has no operator classes). So these live outside the model
state, on PostgreSQL only, built CONCURRENTLY (no write lock on a large table). SQLite's
tables are development-sized: the same search runs there as a scan.
"""

from django.db import migrations

INDEXES = {
    "candidate_email_upper_prefix": (
        "assessments_candidate",
        '(UPPER("email"::text) text_pattern_ops)',
        "",
    ),
    "candidate_last_name_upper_prefix": (
        "assessments_candidate",
        '(UPPER("last_name"::text) text_pattern_ops)',
        "",
    ),
    # Equality only (a pasted URL), so a hash: a quarter of a btree's size on long URLs.
    "interview_callback_url_hash": (
        "assessments_interview",
        'USING hash ("callback_url")',
        """ WHERE NOT ("callback_url"::text = '')""",
    ),
    # Most interviews come from an ATS with no sender: the partial index stays small.
    "interview_sent_by_upper_prefix": (
        "assessments_interview",
        '(UPPER("sent_by"::text) text_pattern_ops)',
        """ WHERE NOT ("sent_by"::text = '')""",
    ),
}


class PostgresOnlySQL(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("assessments", "0008_hiring_team_tools"),
    ]

    operations = [
        PostgresOnlySQL(
            sql=f'CREATE INDEX CONCURRENTLY IF NOT EXISTS "{name}" ON "{table}" {columns}{where}',
            reverse_sql=f'DROP INDEX CONCURRENTLY IF EXISTS "{name}"',
        )
        for name, (table, columns, where) in INDEXES.items()
    ]

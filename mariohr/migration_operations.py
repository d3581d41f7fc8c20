"""Index creation that does not lock a large table against writes.

On PostgreSQL ``CREATE INDEX`` blocks inserts and updates for as long as it runs, minutes on a
table of millions of interviews; ``CONCURRENTLY`` does not. SQLite has no such option (and no
such tables), so there the plain ``AddIndex`` runs. Migrations using it set ``atomic = False``.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db.migrations import AddIndex


class AddIndexOnline(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)

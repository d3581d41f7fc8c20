"""Server-side prepared statements for the engine's hot statements, on PostgreSQL.

Django binds parameters client-side, so PostgreSQL plans every statement anew. The delivery
load joins ten tables: planning it took ~5 ms of the server's CPU, seven times running it.
A cursor that binds server-side lets psycopg prepare a statement once it has run a few times
on a connection (``prepare_threshold``, mariohr/settings.py); PostgreSQL then keeps its
plan. The statements still go through Django's cursor wrapper: logged, counted, wrapped.
With ``DATABASE_PREPARED_STATEMENTS=false`` (or on SQLite) this is Django's usual cursor.
"""

from django.db import connections


def prepared_cursor(using: str = "default"):
    """A Django cursor for ``with``, binding server-side on PostgreSQL (as Django's own
    ``connection.cursor()`` does, bar the binding)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return connection.cursor()
    import psycopg
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = psycopg.Cursor(connection.connection)
        loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
        if connection.timezone != loader.timezone:
            register_tzloader(connection.timezone, raw)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            return connection.make_debug_cursor(raw)
        return connection.make_cursor(raw)

"""The delivery's load query: the row and everything its request is built from, compiled once.

The query joins the organization and its integration settings and the interview with its
candidate, test, reviewer and recording, and carries the report's rows as JSON subqueries
(assessments.report_loading). Compiling it costs the ORM more than PostgreSQL needs to run
it, so the SQL is compiled once per thread and database and run with each delivery's id;
the ORM still turns the row into objects.
"""

import threading

from django.db.models import QuerySet

from assessments.report_loading import report_rows_attach, with_report_rows

from . import kinds
from .models import Delivery
from .prepared import prepared_cursor

LOADED_RELATIONS = (
    "organization__integration_settings",
    "interview__organization",
    "interview__candidate",
    "interview__test",
    "interview__scored_by",
)
# An id no row has: marks where the delivery's id goes among the compiled parameters.
PLACEHOLDER_ID = -7_130_517

_compiled = threading.local()


def _template(using: str):
    templates = _compiled.__dict__.setdefault("templates", {})
    relations = (*LOADED_RELATIONS, *kinds.relations_loaded())
    cached = templates.get(using)
    if cached is None or cached[0] != relations:
        queryset = with_report_rows(
            Delivery.objects.using(using)
            .select_related(*relations)
            .filter(pk=PLACEHOLDER_ID)
            .order_by(),
            "interview",
        )
        compiler = queryset.query.get_compiler(using)
        sql, params = compiler.as_sql()
        assert list(params).count(PLACEHOLDER_ID) == 1, params
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        templates[using] = (relations, queryset.query, compiler, sql, tuple(params))
    return templates[using][1:]


def delivery_load(delivery_id: int, *, using: str = "default") -> Delivery | None:
    """The delivery with what building its request reads, in one query; None if gone."""
    query, compiler, sql, params = _template(using)
    arguments = tuple(delivery_id if p == PLACEHOLDER_ID else p for p in params)
    compiler.as_sql = lambda *args, **kwargs: (sql, arguments)
    compiler.execute_sql = lambda *args, **kwargs: _rows(using, sql, arguments)
    delivery = next(iter(QuerySet(model=Delivery, query=query, using=using)), None)
    if delivery is None:
        return None
    # Taken from the join now: a get_or_create elsewhere could leave the cached one stale.
    delivery._loaded_settings = getattr(delivery.organization, "integration_settings", None)
    if delivery.interview is not None:
        report_rows_attach(delivery, delivery.interview)
    return delivery


def _rows(using: str, sql: str, arguments: tuple) -> list[list[tuple]]:
    # In the shape SQLCompiler.execute_sql gives the ORM: a list of row chunks.
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, arguments)
        return [cursor.fetchall()]

"""Load interviews with the rows their report reads, in the same query.

``report_build`` reads an interview's events, answers, score lines, environment values and
recording: five more queries per report. Where that matters (every delivery attempt builds
one), the rows ride along as JSON arrays, one correlated subquery each, and are put in the
interview's prefetch cache, where ``interview.events.all()`` and the like find them; the
recording is joined.
"""

import functools
import json
from datetime import UTC
from decimal import Decimal

from django.db import connections
from django.db.models import Aggregate, CharField, F, OuterRef, Subquery, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, JSONObject
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware, make_aware

from .models import Interview
from .session_models import Answer, EnvironmentValue, InterviewEvent, ScoreLine

# related name: (model, the model's ordering, as keys of the decoded rows)
ROWS = {
    "events": (InterviewEvent, ("at", "id")),
    "answers": (Answer, ("id",)),
    "score_lines": (ScoreLine, ("position", "id")),
    "environment_values": (EnvironmentValue, ("field__position", "field_id")),
}
PREFIX = "_report_rows_"


class JSONRows(Aggregate):
    """The group's rows as a JSON array, in text."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "CAST(JSON_AGG(%(expressions)s) AS text)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


def _rows(model, ordering: tuple[str, ...], interview_ref: str) -> Subquery:
    columns = {}
    for field in model._meta.concrete_fields:
        column = F(field.attname)
        if field.get_internal_type() == "DecimalField":
            column = Cast(column, CharField())  # a JSON number would go through float
        columns[field.attname] = column
    columns.update({key: F(key) for key in ordering if "__" in key})
    rows = (
        model.objects.filter(interview=OuterRef(interview_ref))
        .order_by()
        .values("interview")
        .annotate(rows=JSONRows(JSONObject(**columns)))
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


@functools.cache
def _compiled(outer_model, interview_ref: str, using: str) -> dict[str, RawSQL]:
    # Compiling these subqueries costs more than running them: once per process is enough.
    queryset = outer_model.objects.annotate(
        **{
            PREFIX + name: _rows(model, ordering, interview_ref)
            for name, (model, ordering) in ROWS.items()
        }
    )
    compiler = queryset.query.get_compiler(using)
    compiled = {}
    for name in ROWS:
        sql, params = compiler.compile(queryset.query.annotations[PREFIX + name])
        # The ORM compiled it (no outside input); RawSQL only keeps it from recompiling.
        compiled[PREFIX + name] = RawSQL(sql, params, output_field=TextField())  # noqa: S611
    return compiled


def with_report_rows(queryset, interview_path: str = ""):
    """Annotate ``queryset`` with the report's rows of the interview at ``interview_path``
    (``""`` for interviews, ``"interview"`` for a model pointing at one)."""
    interview_ref = f"{interview_path}_id" if interview_path else "pk"
    recording = f"{interview_path}__recording" if interview_path else "recording"
    rows = _compiled(queryset.model, interview_ref, queryset.db)
    return queryset.select_related(recording).annotate(**rows)


def report_rows_attach(annotated, interview: Interview) -> None:
    """Put the rows annotated on ``annotated`` into ``interview``'s prefetch cache."""
    vendor = connections[interview._state.db or "default"].vendor
    cache = interview.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, (model, ordering) in ROWS.items():
        text = getattr(annotated, PREFIX + name, None)
        rows = sorted(json.loads(text) if text else [], key=lambda row: [row[k] for k in ordering])
        queryset = getattr(interview, name).all()
        queryset._result_cache = [_instance(model, row, vendor, interview) for row in rows]
        queryset._prefetch_done = True
        cache[name] = queryset
    interview.recording_joined = True  # see assessments.recordings.services.recording_of


def _instance(model, row: dict, vendor: str, interview: Interview):
    fields = model._meta.concrete_fields
    values = [_value(field, row[field.attname], vendor) for field in fields]
    instance = model.from_db(interview._state.db, [f.attname for f in fields], values)
    instance.interview = interview
    return instance


def _value(field, value, vendor: str):
    if value is None:
        return None
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        moment = parse_datetime(value)
        return moment if is_aware(moment) else make_aware(moment, UTC)
    if kind == "DecimalField":
        return Decimal(value).quantize(Decimal(1).scaleb(-field.decimal_places))
    if kind == "BooleanField":
        return bool(value)
    if kind == "JSONField" and vendor != "postgresql":
        return json.loads(value, cls=field.decoder)  # stored as text, not nested JSON
    return value

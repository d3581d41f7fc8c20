"""Admin changelists that open as fast on a million rows as on a hundred.

Django's changelist counts on every view: the filtered rows for the paginator and, for the
"N total" beside the search box, the whole table. On PostgreSQL a COUNT(*) reads every row,
so a list of a million interviews would take seconds to show its first hundred. Here there
is no total (``show_full_result_count = False``) and the paginator counts at most
``EXACT_COUNT_LIMIT`` rows; past that it shows PostgreSQL's estimate: for an unfiltered list
that is the table's ``pg_class.reltuples`` (scaled by its current size, as the planner does),
for a filtered one the planner's row estimate for the filter. Page links past an
overestimate are empty pages, not errors. The date drill-down, which would list its periods with
a DISTINCT over every row, offers those between the first and the last row (DatePeriods).
"""

import json
from datetime import date, datetime, timedelta

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import cached_property

from .admin_bounds import BoundedChangeList
from .admin_rows import FastRowsAdminMixin, FastRowsChangeList

EXACT_COUNT_LIMIT = 10_000


def estimated_count(queryset) -> int:
    """The planner's row estimate for ``queryset`` (PostgreSQL only)."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        # COUNT over a LIMIT subquery reads at most EXACT_COUNT_LIMIT + 1 rows.
        capped = queryset.order_by().values("pk")[: EXACT_COUNT_LIMIT + 1].count()
        if capped <= EXACT_COUNT_LIMIT:
            return capped
        if connections[queryset.db].vendor != "postgresql":
            return super().count
        return max(estimated_count(queryset), capped)


class LargeTableAdminMixin(FastRowsAdminMixin):
    """For ModelAdmins of tables that grow with every interview sent."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_changelist(self, request, **kwargs):
        return LargeTableChangeList


class DatePeriods:
    """The changelist's queryset as Django's ``date_hierarchy`` tag sees it.

    The tag lists the years (months, days) that have rows with ``SELECT DISTINCT
    date_trunc(...)`` over every row of the list: half a second on a million interviews.
    Here the periods are those between the list's first and last row, which MIN and MAX
    read from the date's index; a period without rows opens an empty list.
    """

    def __init__(self, queryset):
        self._queryset = queryset
        self._aggregates = {}

    def __getattr__(self, name):
        return getattr(self._queryset, name)

    def aggregate(self, *args, **expressions) -> dict:
        # The tag reads MIN and MAX to pick its start level, then datetimes() needs the same.
        key = repr((args, sorted(expressions.items())))
        if key not in self._aggregates:
            self._aggregates[key] = self._queryset.aggregate(*args, **expressions)
        return self._aggregates[key]

    def datetimes(self, field_name: str, kind: str, *args, **kwargs) -> list:
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        first, last = (to_date(bounds[end]) for end in ("first", "last"))
        period = {"year": first.replace(month=1, day=1), "month": first.replace(day=1)}.get(
            kind, first
        )
        periods = []
        while period <= last:
            periods.append(period)
            if kind == "year":
                period = period.replace(year=period.year + 1)
            elif kind == "month":
                period = (period.replace(day=28) + timedelta(days=4)).replace(day=1)
            else:
                period += timedelta(days=1)
        return periods

    dates = datetimes


def to_date(value) -> date:
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


class LargeTableChangeList(FastRowsChangeList, BoundedChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page's rows were sliced from the queryset in super().__init__; after that only
        # the date_hierarchy tag reads cl.queryset.
        self.queryset = DatePeriods(self.queryset)

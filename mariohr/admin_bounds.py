"""Admin changelists that answer out-of-range date drill-downs as a bad lookup.

Django builds datetimes from ``?sent_at__year=...&sent_at__month=...`` and catches only the
ValueError of the first one: year 99999999999 (OverflowError) or December 9999 (one month
later does not exist) escape as a 500. Here they become IncorrectLookupParameters, which the
changelist answers the way it answers any unusable filter: a redirect to ``?e=1``.
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class BoundedChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise IncorrectLookupParameters(error) from error


class BoundedDatesAdminMixin:
    """For ModelAdmins whose list has a date drill-down or date filter (put before ModelAdmin)."""

    def get_changelist(self, request, **kwargs):
        return BoundedChangeList

"""What keeps the users list cheap on a big table: estimated counts and calendar dates."""

import calendar
import datetime
import json

from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import cached_property

# Up to here a list counts its rows exactly (a few milliseconds at most); past it, PostgreSQL's estimate.
EXACT_COUNT_CAP = 10_000


# An estimate this far past the cap is believed without counting: the capped count would read EXACT_COUNT_CAP
# rows through a join for nothing (the high-risk filter's took 0.7-1 s at a million signups).
SURELY_PAST_CAP = 3 * EXACT_COUNT_CAP


def estimated_count(queryset):
    """The number of rows, exact up to EXACT_COUNT_CAP, estimated by PostgreSQL beyond it (never a full COUNT)."""
    connection = connections[queryset.db]
    estimate = None
    if connection.vendor == "postgresql":
        if not queryset.query.where:
            estimate = table_estimate(connection, queryset.model._meta.db_table)
        else:
            estimate = plan_estimate(queryset)
        if estimate >= SURELY_PAST_CAP:
            return estimate
    capped = queryset.order_by().values("pk")[: EXACT_COUNT_CAP + 1].count()
    if capped <= EXACT_COUNT_CAP or estimate is None:
        return capped if capped <= EXACT_COUNT_CAP else queryset.count()
    return max(estimate, capped)


def table_estimate(connection, table):
    """pg_class.reltuples: the table's row count as of its last VACUUM or ANALYZE (-1 when never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else 0


def plan_estimate(queryset):
    """The planner's guess of how many rows a filtered list has, read from EXPLAIN without running it."""
    plan = json.loads(queryset.order_by().values("pk").explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Django's paginator, counting with estimated_count: the admin asks for a count on every list page."""

    @cached_property
    def count(self):
        return estimated_count(self.object_list)


class CalendarQueryset:
    """Stands in for the list's queryset in Django's date hierarchy: the choices come from the calendar
    between the table's first and last dates (two index probes), not from a scan of the rows."""

    def __init__(self, cl):
        self.cl = cl
        self.field = cl.date_hierarchy

    @cached_property
    def span(self):
        # The whole table's, not the filtered list's: MIN/MAX under a filter would read every match.
        return self.cl.model._default_manager.aggregate(first=Min(self.field), last=Max(self.field))

    @property
    def bounds(self):
        return [timezone.localtime(self.span[key]).date() if self.span[key] else None for key in ("first", "last")]

    def aggregate(self, **kwargs):
        return self.span

    def dates(self, field, kind):
        first, last = self.bounds
        if first is None:
            return []
        params = self.cl.params
        year = int(params.get(f"{field}__year", first.year))
        month = int(params.get(f"{field}__month", first.month))
        if kind == "year":
            return [datetime.date(y, 1, 1) for y in range(first.year, last.year + 1)]
        if kind == "month":
            months = [datetime.date(year, m, 1) for m in range(1, 13)]
            return [day for day in months if first.replace(day=1) <= day <= last]
        days = [datetime.date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
        return [day for day in days if first <= day <= last]

    datetimes = dates


class CalendarChangeList:
    """The ChangeList as Django's date_hierarchy sees it, with the calendar for its queryset."""

    def __init__(self, cl):
        self._cl = cl
        self.queryset = CalendarQueryset(cl)

    def __getattr__(self, name):
        return getattr(self._cl, name)


def calendar_date_hierarchy(cl):
    return date_hierarchy(CalendarChangeList(cl))

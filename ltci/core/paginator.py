"""Admin pagination for big tables (SPEC 12: list pages stay fast with millions of rows).

Django's paginator runs a full COUNT(*) on every page load. This one uses PostgreSQL's row estimate
for an unfiltered list and a capped count (COUNT over at most CAP + 1 rows) for a filtered one, so a
page load never scans the whole table. Use with `show_full_result_count = False`.
"""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class LargeTablePaginator(Paginator):
    cap = 10_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet):
            return super().count
        if not queryset.query.where:
            estimate = table_estimate(queryset.db, queryset.model._meta.db_table)
            if estimate > self.cap:
                return estimate
        return queryset[: self.cap + 1].count()


def table_estimate(alias: str, table: str) -> int:
    """PostgreSQL's estimate of the rows of a table (pg_class.reltuples, -1 when never analysed)."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else -1

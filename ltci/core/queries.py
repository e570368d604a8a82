"""Query helpers shared by the apps' selectors."""

import datetime as dt
from collections.abc import Iterable

from django.db.models.expressions import RawSQL


def id_set(ids: Iterable[int]) -> RawSQL:
    """A set of ids for ``field__in=``, sent as one array parameter: a month's 50,000 persons cost one
    parameter instead of 50,000 (query building and parameter conversion dominate otherwise)."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


def fetch_prepared(sql: str, params, *, using: str = "default") -> list[tuple]:
    """The rows of a query run as a server-side prepared statement (psycopg keeps it per connection).

    For the queries of every request (the session's user, the status page's state and reads), where
    PostgreSQL's planning and Django's query compilation cost more than the execution. Django turns
    psycopg's preparing off (prepare_threshold None) and its own client-side-binding cursors never prepare,
    so a threshold no query reaches only enables ``prepare=True`` here. Runs on Django's connection (its
    adapters, inside whatever transaction is open, with Django's error wrapping) but not through Django's
    cursor wrapper: these queries are not in ``connection.queries``.
    """
    import psycopg
    from django.db import connections

    connection = connections[using]
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        connection.connection.prepare_threshold = 2**31
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchall()


def fetchone_prepared(sql: str, params):
    """The first row of ``fetch_prepared`` (or None)."""
    rows = fetch_prepared(sql, params)
    return rows[0] if rows else None


# Sentinels: values a Precompiled query is built with, found again among its compiled parameters. Chosen so
# that no real parameter equals them (no id is negative, no day of this system is in the year 1111).
SENTINEL_ID = -7_777_777_771
SENTINEL_DAY = dt.date(1111, 11, 11)


class Precompiled:
    """A queryset compiled to SQL once per process, then run again with other values.

    ``build(**values)`` returns the queryset. It is built once with sentinel values (``SENTINEL_ID``,
    ``SENTINEL_DAY``, or a list of one sentinel for an ``id_set``), compiled, and the places of the sentinels
    among the SQL parameters remembered. Each call binds the real values there and turns the rows into model
    instances as Django's ModelIterable does (the compiler's converters, ``from_db``, select_related
    populators), so the queryset stays the one definition while Django's query building and compilation --
    most of the CPU of a small query -- are skipped; the SQL runs prepared (``fetch_prepared``). For model
    querysets whose SQL does not depend on the values (no ``if`` on them in ``build``); annotations, values()
    and prefetch_related are refused at first use.
    """

    instances: list["Precompiled"] = []  # every one made, for compile_all (gunicorn's master, before forking)

    def __init__(self, build, **sentinels):
        self._build = build
        self._sentinels = sentinels
        self._compiled = None
        Precompiled.instances.append(self)

    @classmethod
    def compile_all(cls) -> None:
        for instance in cls.instances:
            if instance._compiled is None:
                instance._compile()

    def _compile(self):
        from django.db.models.query import ModelIterable, get_related_populators

        qs = self._build(**self._sentinels)
        if (
            qs._iterable_class is not ModelIterable
            or qs._prefetch_related_lookups
            or qs.query.annotation_select
        ):
            raise TypeError("Precompiled takes plain model querysets (select_related and only() allowed)")
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        slots = []
        for param in params:
            slots.append(
                next(
                    (
                        name
                        for name, sentinel in self._sentinels.items()
                        if type(param) is type(sentinel) and param == sentinel
                    ),
                    None,
                )
            )
        missing = set(self._sentinels) - set(slots)
        if missing:
            raise ValueError(f"Precompiled: {sorted(missing)} not among the compiled parameters of {sql}")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self._compiled = {
            "db": qs.db,
            "sql": sql,
            "params": list(params),
            "slots": slots,
            "model": qs.model,
            "start": start,
            "end": end,
            "compiler": compiler,
            "init_list": [column[0].target.attname for column in select[start:end]],
            "populators": get_related_populators(klass_info, select, qs.db),
            "converters": compiler.get_converters([column[0] for column in select]),
        }

    def __call__(self, **values) -> list:
        if self._compiled is None:
            self._compile()
        c = self._compiled
        params = [
            values[slot] if slot is not None else param
            for param, slot in zip(c["params"], c["slots"], strict=True)
        ]
        rows = fetch_prepared(c["sql"], params, using=c["db"])
        if c["converters"]:
            rows = c["compiler"].apply_converters(rows, c["converters"])
        out = []
        for row in rows:
            obj = c["model"].from_db(c["db"], c["init_list"], row[c["start"] : c["end"]])
            for populator in c["populators"]:
                populator.populate(row, obj)
            out.append(obj)
        return out

"""Set-based SQL on Django's connection, for the jobs that work a city at once (STYLE "Bulk work"): run a
statement, fetch its rows, COPY rows into a table, a temporary table filled and analysed, and history rows
written for a set of ids.

Everything goes through ``django.db.connection.cursor()``, so it joins the caller's transaction. Table and
column names are interpolated, so they must be constants of the code (or a model's ``_meta``); values are
always parameters.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def execute(sql: str, params: Any = None) -> int:
    """Run one statement; return its row count."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def fetch(sql: str, params: Any = None) -> list[tuple]:
    """Run one query; return all its rows."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows into a table (psycopg 3's ``copy``, which Django's cursor passes through to the driver): far
    cheaper than a bulk INSERT for tens of thousands of rows."""
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def temp_table(name: str, columns: str, rows: Iterable[Sequence] | None = None) -> None:
    """(Re)create a temporary table of the session (``columns`` as in CREATE TABLE), fill it by COPY and
    ANALYZE it for the planner."""
    execute(f"DROP TABLE IF EXISTS {name}")
    execute(f"CREATE TEMP TABLE {name} ({columns})")
    if rows is not None:
        copy_rows(name, [c.strip().split()[0] for c in columns.split(",")], rows)
    execute(f"ANALYZE {name}")


def create_temp_as(name: str, query: str, params: Any = None) -> int:
    """(Re)create a temporary table of the session from a query and ANALYZE it; return its row count."""
    execute(f"DROP TABLE IF EXISTS {name}")
    count = execute(f"CREATE TEMP TABLE {name} AS {query}", params)
    execute(f"ANALYZE {name}")
    return count


def drop_tables(names: Iterable[str]) -> None:
    names = list(names)
    if names:
        execute("DROP TABLE IF EXISTS " + ", ".join(names))


def pg_array(values: Sequence[str]) -> str:
    """Text form of a varchar[] of simple codes (category codes have no special characters), for COPY."""
    return "{" + ",".join(values) + "}"


def history_insert(model, id_table: str, *, reason: str, user_id, history_type: str = "~") -> None:
    """Write django-simple-history rows (the state after the change) for the ids listed in id_table(id)."""
    table = model._meta.db_table
    hist = model.history.model._meta.db_table
    cols = [f.column for f in model._meta.concrete_fields]
    col_sql = ", ".join(f'"{c}"' for c in cols)
    select = ", ".join(f't."{c}"' for c in cols)
    sql = f"""INSERT INTO {hist} ({col_sql}, history_date, history_change_reason, history_type, history_user_id)
              SELECT {select}, now(), %s, %s, %s FROM {table} t WHERE t.id IN (SELECT id FROM {id_table})"""  # noqa: S608
    execute(sql, [reason, history_type, user_id])

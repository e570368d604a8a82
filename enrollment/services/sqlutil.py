"""Small helpers for set-based writes: temp tables filled by COPY."""

from collections.abc import Iterable, Sequence


def copy_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    """COPY rows into a table through psycopg 3 (cursor is Django's CursorWrapper)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def pg_array(values: Sequence[str]) -> str:
    """Text form of a varchar[] of simple codes (category codes have no special characters)."""
    return "{" + ",".join(values) + "}"


def history_insert(cursor, model, id_table: str, *, reason: str, user_id, history_type: str = "~") -> None:
    """Write simple_history rows (state after the change) for the ids listed in id_table(id)."""
    table = model._meta.db_table
    hist = model.history.model._meta.db_table
    cols = [f.column for f in model._meta.concrete_fields]
    col_sql = ", ".join(f'"{c}"' for c in cols)
    select = ", ".join(f't."{c}"' for c in cols)
    head = (
        f"INSERT INTO {hist} ({col_sql}, history_date, history_change_reason, history_type, history_user_id) "
    )
    tail = f"SELECT {select}, now(), %s, %s, %s FROM {table} t WHERE t.id IN (SELECT id FROM {id_table})"  # noqa: S608
    sql = head + tail
    cursor.execute(sql, [reason, history_type, user_id])

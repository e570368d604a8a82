"""Declarative partitioning of the largest tables (SPEC 12): contributions by year, service records,
settlement lines and record audits by service month (docs/operations.md "Partitions").

A partitioned table is ``PARTITION BY RANGE`` on its key column: a yearly key is an integer column holding the
year (partitions ``<table>_p2024``), a monthly key a date column (partitions ``<table>_p2024_05``); each table
also has a DEFAULT partition (``<table>_default``) so that no insert ever fails for want of a partition.

``conversion_sql`` is the script turning an existing table into a partitioned one, from the table's catalog
facts (``conversion_facts``: indexes, constraints and triggers re-created; the primary key becomes (id, key),
as PostgreSQL requires the key in every unique index; foreign keys that pointed at the table by id alone
become statement-level check triggers). A migration holds the script as text (generated once), so that a
change here never changes an old migration; ``convert_table`` runs it at once for a new table. ``ensure_partitions``
creates the partitions up to a given year or month ahead of time: the yearly run, the monthly settlement and
the stores of service records call it before they write, the daily beat task for next year and next month.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import OperationalError, connection, transaction
from psycopg.errors import DeadlockDetected

logger = logging.getLogger(__name__)

DEFAULT = "default"


def _q(cursor, sql: str, params=None) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall() if cursor.description else []


def partition_key(table: str) -> tuple[str, str] | None:
    """(key column, 'year' or 'month') of a partitioned table, None if the table is not partitioned."""
    with connection.cursor() as cursor:
        rows = _q(
            cursor,
            """SELECT a.attname, format_type(a.atttypid, a.atttypmod)
               FROM pg_partitioned_table p JOIN pg_attribute a
                 ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
               WHERE p.partrelid = to_regclass(%s)""",
            [table],
        )
    if not rows:
        return None
    column, type_name = rows[0]
    return column, ("month" if type_name == "date" else "year")


def _bounds(unit: str, value) -> tuple[str, Any, Any]:
    """(suffix, lower, upper) of the partition holding ``value`` (a year, or a date for months)."""
    if unit == "year":
        return f"p{value}", int(value), int(value) + 1
    start = value.replace(day=1)
    upper = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return f"p{start:%Y_%m}", start, upper


def _steps(unit: str, since, upto) -> Iterable:
    """Every year (int) or month (first day) from ``since`` to ``upto``, both included."""
    if unit == "year":
        yield from range(int(since), int(upto) + 1)
        return
    month = since.replace(day=1)
    while month <= upto:
        yield month
        month = _bounds("month", month)[2]


def existing_partitions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [
            r[0]
            for r in _q(
                cursor,
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
                [table],
            )
        ]


def ensure_partitions(table: str, upto, *, since=None) -> list[str]:
    """Create the missing partitions of ``table`` from ``since`` (default: ``upto``) up to ``upto`` (a year
    for a yearly table, a date for a monthly one); return the names created. Idempotent and cheap when they
    exist (a catalog look-up, no lock). Rows already sitting in the DEFAULT partition for a new range are
    moved into the new partition (PostgreSQL refuses to attach it otherwise).

    Safe when several transactions want the same new partition at once (two imports of a new month): the
    creation is serialized per table (``_create``); the second finds the partition made once the first has
    committed. Run in a savepoint of the caller's transaction: a caller that already holds a lock on the
    table's DEFAULT partition (it wrote rows there) may meet another creator in a deadlock, which PostgreSQL
    breaks by failing one of the two; that one's savepoint is undone and it goes on without the partition
    (its rows wait in the DEFAULT partition, moved over by the other creator or the next call), so neither
    caller fails."""
    key = partition_key(table)
    if key is None:
        return []
    column, unit = key
    if unit == "year":
        upto = upto.year if isinstance(upto, dt.date) else int(upto)
        since = since.year if isinstance(since, dt.date) else since
    elif not isinstance(upto, dt.date):
        upto = dt.date(int(upto), 12, 1)
    have = set(existing_partitions(table))
    missing = [
        (f"{table}_{suffix}", lower, upper)
        for suffix, lower, upper in (
            _bounds(unit, value) for value in _steps(unit, since if since is not None else upto, upto)
        )
        if f"{table}_{suffix}" not in have
    ]
    if not missing:
        return []
    try:
        with transaction.atomic():
            return _create(table, column, missing)
    except OperationalError as exc:
        if not isinstance(exc.__cause__, DeadlockDetected):
            raise
        logger.warning("%s: partitions %s not made (deadlock with another creator)", table, missing)
        return []


def lock_partitions(cursor, table: str) -> None:
    """Take the table's partition lock until the transaction ends: held by whoever makes partitions of the
    table, and by ANALYZE of it (``analyze``)."""
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"partition:{table}"])


def analyze(*tables: str) -> None:
    """ANALYZE ``tables`` one by one, each under its partition lock. A partition being made holds the DEFAULT
    partition exclusively and then waits for the parent, while ANALYZE of the parent holds the parent and
    then waits to read the DEFAULT partition: taking the same lock first, the two never meet half-way
    (a deadlock PostgreSQL would break by failing one of them)."""
    for table in tables:
        with transaction.atomic(), connection.cursor() as cursor:
            lock_partitions(cursor, table)
            cursor.execute(f"ANALYZE {table}")


def _create(table: str, column: str, missing: list[tuple[str, Any, Any]]) -> list[str]:
    """Make the partitions ``missing`` (name, lower, upper) under the table's own advisory lock (held until
    the transaction ends: a second creator waits, then finds them made). Each is a table of the parent's
    shape, filled with the DEFAULT partition's rows of its range, then attached: ATTACH takes only a SHARE
    UPDATE EXCLUSIVE lock on the parent (other months stay readable and writable; CREATE TABLE ... PARTITION
    OF would lock the whole table), and an ACCESS EXCLUSIVE lock on the DEFAULT partition, taken here before
    the rows are looked for, so that no row of the range can enter it between the move and the attach."""
    created = []
    default = f"{table}_{DEFAULT}"
    with connection.cursor() as cursor:
        lock_partitions(cursor, table)
        made = set(existing_partitions(table))  # under the lock: what another creator committed meanwhile
        has_default = default in made
        for name, lower, upper in missing:
            if name in made:
                continue
            if has_default:
                cursor.execute(f"LOCK TABLE {default} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
            if has_default:
                cursor.execute(
                    f"WITH moved AS (DELETE FROM {default} WHERE {column} >= %s AND {column} < %s "  # noqa: S608
                    f"RETURNING *) INSERT INTO {name} SELECT * FROM moved",  # noqa: S608
                    [lower, upper],
                )
            cursor.execute(
                f"ALTER TABLE {table} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [lower, upper]
            )
            created.append(name)
    return created


def _short(name: str, suffix: str) -> str:
    """An identifier of at most 63 characters ending in ``suffix``."""
    return name[: 63 - len(suffix)] + suffix


def reference_check_function(table: str, referencing: str, column: str) -> str:
    """The function of ``reference_check_sql`` checking the written rows of ``referencing``."""
    name = _short(f"refcheck_{referencing}_{column}", "_fn")
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows n WHERE n.{column} IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = n.{column} OFFSET 0)) THEN
        RAISE EXCEPTION '% on table % violates the reference {column} to {table}', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;"""  # noqa: S608 (names of the code, no input)


def reference_check_sql(table: str, referencing: str, column: str) -> str:
    """Triggers standing in for the foreign key ``referencing.column`` -> ``table.id`` (PROTECT on delete),
    which PostgreSQL cannot declare once ``table`` is partitioned: one statement-level check per INSERT and
    UPDATE of the referencing table and per DELETE of the referenced one, raising foreign_key_violation
    (Django's IntegrityError) like the constraint did. Each written row is looked up by its id (OFFSET 0 keeps
    the lookup per row: as an anti-join the planner would hash the whole referenced table for every statement,
    and a chunk's check would grow with the table)."""
    name = _short(f"refcheck_{referencing}_{column}", "")
    check = f"""{reference_check_function(table, referencing, column)}
CREATE OR REPLACE FUNCTION {_short(name, "_del")}() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_rows o JOIN {referencing} r ON r.{column} = o.id) THEN
        RAISE EXCEPTION 'delete on table {table} refused: rows are still referenced from {referencing}.{column}'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""  # noqa: S608 (names of the code, no input)
    triggers = [
        f"CREATE TRIGGER {_short(name, '_ins')} AFTER INSERT ON {referencing} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_short(name, '_fn')}();",
        f"CREATE TRIGGER {_short(name, '_upd')} AFTER UPDATE ON {referencing} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_short(name, '_fn')}();",
        f"CREATE TRIGGER {_short(name, '_del')} AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_short(name, '_del')}();",
    ]
    return check + "\n".join(triggers)


def conversion_facts(table: str, key: str, *, references: Iterable[tuple[str, str]] = ()) -> dict:
    """What ``conversion_sql`` needs to know of ``table`` from the catalog, before the conversion: the key's
    type, the id's sequence, the indexes, constraints and triggers to re-create. Raises if a foreign key
    still points at the table by id alone."""
    with connection.cursor() as cursor:
        incoming = _q(
            cursor,
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE confrelid = %s::regclass "
            "AND contype = 'f'",
            [table],
        )
        if incoming:
            raise RuntimeError(f"{table}: foreign keys still point at it by id alone: {incoming}")
        return {
            "table": table,
            "key": key,
            "key_type": _q(
                cursor,
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname = %s",
                [table, key],
            )[0][0],
            "serial": _q(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0][0],
            "indexes": [
                r[0]
                for r in _q(
                    cursor,
                    "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                    "ORDER BY 1",
                    [table],
                )
            ],
            "constraints": [
                list(r)
                for r in _q(
                    cursor,
                    "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f', 'x') ORDER BY contype, conname",
                    [table],
                )
            ],
            "triggers": [
                r[0]
                for r in _q(
                    cursor,
                    "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
                    "AND NOT tgisinternal ORDER BY tgname",
                    [table],
                )
            ],
            "references": [list(r) for r in references],
        }


def _partitions_sql(table: str, old: str, key: str, unit: str, ahead: int, time_zone: str) -> str:
    """A PL/pgSQL block making the partitions from the oldest row of ``old`` (or today) up to ``ahead`` years
    or months after today (or the newest row), as ``ensure_partitions`` names and bounds them."""
    if unit == "month":
        loop = f"""
    step := date_trunc('month', least(coalesce(lo, today), today))::date;
    WHILE step <= greatest((date_trunc('month', today) + interval '{ahead} month')::date, coalesce(hi, today)) LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF {table} FOR VALUES FROM (%L) TO (%L)',
                       '{table}_p' || to_char(step, 'YYYY_MM'), step, (step + interval '1 month')::date);
        step := (step + interval '1 month')::date;
    END LOOP;"""
        declare = "lo date; hi date; step date;"
    else:
        loop = f"""
    step := least(coalesce(lo, extract(year FROM today)::int), extract(year FROM today)::int);
    WHILE step <= greatest(extract(year FROM today)::int + {ahead}, coalesce(hi, 0)) LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)',
                       '{table}_p' || step, step, step + 1);
        step := step + 1;
    END LOOP;"""
        declare = "lo int; hi int; step int;"
    return f"""DO $$
DECLARE
    today date := (now() AT TIME ZONE '{time_zone}')::date;
    {declare}
BEGIN
    SELECT min({key}), max({key}) INTO lo, hi FROM {old};{loop}
END $$"""  # noqa: S608 (names of the code, no input)


def conversion_sql(
    table: str,
    key: str,
    *,
    key_type: str,
    serial: str | None,
    indexes: list[str],
    constraints: list[list[str]],
    triggers: list[str],
    references: list[list[str]],
    ahead: int = 1,
    time_zone: str = "Asia/Shanghai",
) -> str:
    """The SQL script turning ``table`` into a table partitioned by RANGE on ``key`` (``conversion_facts``
    describes the table as it was). A migration holds the script it runs as text, so that a later change of
    this module does not change what an old migration does (tests/core/test_partition_convert.py compares
    them)."""
    old = _short(table, "__old")
    seq = f"{table}_id_seq"
    unit = "month" if key_type == "date" else "year"
    last = f"(SELECT coalesce(max(id), 0) FROM {old})"  # noqa: S608
    if serial:
        last = f"greatest({last}, (SELECT last_value FROM {serial}))"  # noqa: S608
    statements = [
        "SET CONSTRAINTS ALL IMMEDIATE",  # no deferred check may wait on the table dropped below
        f"ALTER TABLE {table} RENAME TO {old}",
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE "
        f"INCLUDING COMMENTS) PARTITION BY RANGE ({key})",
        f"CREATE SEQUENCE {seq}__new AS bigint",
        f"ALTER SEQUENCE {seq}__new OWNED BY {table}.id",
        f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{seq}__new')",
        f"CREATE TABLE {table}_{DEFAULT} PARTITION OF {table} DEFAULT",
        _partitions_sql(table, old, key, unit, ahead, time_zone),
        f"INSERT INTO {table} SELECT * FROM {old}",  # noqa: S608
        f"SELECT setval('{seq}__new', {last}) WHERE {last} > 0",  # noqa: S608
        f"DROP TABLE {old}",
        f"ALTER SEQUENCE {seq}__new RENAME TO {seq}",
        f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{seq}')",
    ]
    for name, kind, definition in constraints:
        if kind == "p":
            definition = f"PRIMARY KEY (id, {key})"
        elif kind == "u":
            columns = re.fullmatch(r"UNIQUE \((.*)\)", definition)
            if not columns:
                raise RuntimeError(f"{table}: cannot keep unique constraint {name}: {definition}")
            names = [c.strip() for c in columns.group(1).split(",")]
            if key not in names:
                definition = f"UNIQUE ({', '.join([*names, key])})"
        elif kind == "x":
            raise RuntimeError(f"{table}: exclusion constraint {name} cannot be kept on a partitioned table")
        statements.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for definition in indexes:
        if definition.startswith("CREATE UNIQUE") and f"{key}" not in definition:
            raise RuntimeError(f"{table}: unique index without the partition key: {definition}")
        statements.append(definition)
    statements += triggers
    script = ";\n".join(statements) + ";\n"
    for referencing, column in references:
        script += reference_check_sql(table, referencing, column).strip() + "\n"
    return script


def convert_table(
    table: str,
    key: str,
    *,
    references: Iterable[tuple[str, str]] = (),
    ahead: int = 1,
) -> None:
    """Turn ``table`` into a table partitioned by RANGE on ``key`` (a year column or a date column), with a
    DEFAULT partition and one partition per year or month from its oldest row up to ``ahead`` steps after
    today. ``references``: the (table, column) pairs pointing at ``table.id``; their foreign keys must
    already be gone (``db_constraint=False``) and become check triggers (``reference_check_sql``).
    Indexes, constraints and triggers are read from the catalog and re-created; the primary key becomes
    (id, key). Runs in the caller's transaction: all or nothing. A migration runs the script itself instead
    (``conversion_sql``, frozen as text)."""
    from django.conf import settings

    facts = conversion_facts(table, key, references=references)
    with connection.cursor() as cursor:
        cursor.execute(conversion_sql(**facts, ahead=ahead, time_zone=settings.TIME_ZONE))


def partitioned_tables() -> list[str]:
    """The partitioned tables of the database (read from the catalog, no list to keep)."""
    with connection.cursor() as cursor:
        return [
            r[0] for r in _q(cursor, "SELECT partrelid::regclass::text FROM pg_partitioned_table ORDER BY 1")
        ]


def ensure_ahead(today: dt.date) -> list[str]:
    """Create this and next year's partitions of the yearly tables and this and next month's of the monthly
    ones (the daily beat task; the jobs also call ``ensure_partitions`` for their own year or month)."""
    created = []
    for table in partitioned_tables():
        key = partition_key(table)
        if key and key[1] == "year":
            created += ensure_partitions(table, today.year + 1, since=today.year)
        elif key:
            created += ensure_partitions(table, _bounds("month", today)[2], since=today)
    return created


def analyze_partitioned() -> list[str]:
    """ANALYZE every partitioned table (the daily beat task). Autovacuum analyzes the partitions but never a
    partitioned table itself, whose statistics of the whole hierarchy the planner uses for a statement over
    all partitions (a join by id): without this they would stay those of the day the table was converted.
    ANALYZE samples, so this costs about the same whatever the tables hold; it also refreshes each partition."""
    tables = partitioned_tables()
    analyze(*tables)
    return tables

"""Benchmarks (SPEC 12): each module registers a subcommand; `python -m ltci.bench NAME --SIZE N`.

A bench measures the real code path against a plain-SQL baseline writing the same rows on a copy of the
same data, checks that both results are equal, and prints both times and their ratio. Benches run in a
fresh database (`<name of DATABASE_URL's database>_bench`), never in the working database.
"""

import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Bench:
    name: str
    func: Callable[[int], dict]
    size_arg: str  # e.g. "persons", "rows"
    default_size: int
    all_size: int  # modest size used by `all`
    help: str


REGISTRY: dict[str, Bench] = {}


def register(name: str, *, size_arg: str, default_size: int, all_size: int, help: str = ""):
    """Register a bench function taking the size and returning a result dict (times, ratio, equal)."""

    def decorator(func):
        REGISTRY[name] = Bench(
            name, func, size_arg, default_size, all_size, help or (func.__doc__ or "").strip()
        )
        return func

    return decorator


@contextmanager
def timer(results: dict, key: str):
    start = time.perf_counter()
    yield
    results[key] = time.perf_counter() - start


def setup_fresh_database(suffix: str = "bench") -> str:
    """Point Django at a fresh, migrated database and return its name (call before importing models)."""
    import environ
    import psycopg

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ltci.settings.local")
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/ltci")
    cfg = environ.Env.db_url_config(url)
    name = f"{cfg['NAME']}_{suffix}"
    admin = psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"],
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    import django
    from django.conf import settings

    django.setup()
    settings.DATABASES["default"]["NAME"] = name
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    call_command("migrate", verbosity=0)
    return name


def copy_foreign_keys(cursor, tables) -> None:
    """Give the copies of ``tables`` in schema baseline the foreign keys of the originals, pointing at the
    baseline's copy of the referenced table where there is one: the baseline writes rows checked as the
    product's are (the integrity of the rows is part of the result)."""
    for table in tables:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [f"public.{table}"],
        )
        for name, definition in cursor.fetchall():
            cursor.execute("SET search_path TO baseline, public")
            cursor.execute(f"ALTER TABLE baseline.{table} ADD CONSTRAINT {name} {definition}")
            cursor.execute("RESET search_path")


def schemas_equal(queries: dict[str, str]) -> bool:
    """Compare the real run (schema ``public``) with the baseline (schema ``baseline``): each query, formatted
    with ``{s}`` as the schema, must give the same non-empty multiset of rows in both."""
    from django.db import connection

    equal = True
    with connection.cursor() as cursor:
        for label, sql in queries.items():
            a, b = sql.format(s="public"), sql.format(s="baseline")
            cursor.execute(
                f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b}) x), "  # noqa: S608
                f"(SELECT count(*) FROM ({b} EXCEPT ALL {a}) y), (SELECT count(*) FROM ({a}) z)"
            )
            only_real, only_base, rows = cursor.fetchone()
            print(f"  {label}: {rows} rows, differences {only_real}/{only_base}")
            equal = equal and only_real == 0 and only_base == 0 and rows > 0
    return equal


def report(name: str, results: dict, real: str = "real", baseline: str = "baseline") -> str:
    ratio = results[real] / results[baseline] if results[baseline] else float("inf")
    results["ratio"] = ratio
    return (
        f"{name}: real {results[real]:.2f}s, plain SQL {results[baseline]:.2f}s, ratio {ratio:.2f}, "
        f"results equal: {results.get('equal')}"
    )

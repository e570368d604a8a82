"""Yearly contribution run for N persons: the real service vs plain SQL on a copy of the data."""

import datetime as dt
import sys

from . import register, report, schemas_equal, setup_fresh_database, timer

REGIONS = ["320302", "320303", "320305", "320311", "320312", "320321", "320322", "320324", "320381", "320382"]
YEAR = 2026
ON = dt.date(2026, 1, 20)


def person_rows(n: int):
    """Deterministic persons: unique ID numbers, both types, some subsidised, some mid-year enrollees."""
    from ltci.core.idnumber import make_id_number

    base = dt.date(1940, 1, 1)
    for i in range(n):
        region = REGIONS[i % 10]
        birth = base + dt.timedelta(days=(i // 10) // 1000)
        number = make_id_number(region, birth, (i // 10) % 1000)
        employee = i % 3 != 0
        cats = "{medical_aid}" if i % 50 == 0 else "{}"
        start = dt.date(2026, 1 + i % 11, 10) if i % 40 == 0 else dt.date(2020, 1, 1)
        yield (
            i + 1,
            number,
            f"P{i}",
            birth,
            "M" if int(number[16]) % 2 else "F",
            "employee" if employee else "resident",
            region,
            cats,
            employee,
            start,
        )


def load(n: int) -> None:
    from django.db import connection

    from ltci.core.sql import copy_rows

    with connection.cursor() as cursor:
        cursor.execute("""CREATE TEMP TABLE bench_people (id bigint, national_id varchar(18), name varchar(100),
            birth_date date, sex varchar(1), insurance_type varchar(10), region_code varchar(6),
            categories varchar(40)[], has_personal_account boolean, start date)""")
        copy_rows(
            "bench_people",
            [
                "id",
                "national_id",
                "name",
                "birth_date",
                "sex",
                "insurance_type",
                "region_code",
                "categories",
                "has_personal_account",
                "start",
            ],
            person_rows(n),
        )
        cursor.execute("""INSERT INTO enrollment_person (id, national_id, name, birth_date, sex, insurance_type,
            region_code, categories, has_personal_account, village_code, created_at, updated_at)
            SELECT id, national_id, name, birth_date, sex, insurance_type, region_code, categories,
                   has_personal_account, '', now(), now() FROM bench_people""")
        cursor.execute("""INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, start_reason,
            end_reason) SELECT id, insurance_type, start, 'enrolled', '' FROM bench_people""")
        cursor.execute("""INSERT INTO enrollment_accountevent (person_id, event, amount, occurred_on, created_at)
            SELECT id, 'balance', mod(id, 7) * 5, '2026-01-01', now() FROM bench_people
            WHERE has_personal_account""")
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_person', 'id'), %s)", [n + 1])
        cursor.execute("DROP TABLE bench_people")
        cursor.execute("CREATE SCHEMA IF NOT EXISTS baseline")
        for table in (
            "enrollment_person",
            "enrollment_coverageperiod",
            "enrollment_accountevent",
            "enrollment_contribution",
            "enrollment_contributiontransaction",
            "enrollment_fundincome",
        ):
            cursor.execute(f"CREATE TABLE baseline.{table} (LIKE public.{table} INCLUDING ALL)")
            cursor.execute(f"INSERT INTO baseline.{table} SELECT * FROM public.{table}")  # noqa: S608
        cursor.execute("ANALYZE")


def baseline_run(policy) -> None:
    """The same rows with plain SQL: one statement per step over the whole population, no chunks or job."""
    from django.db import connection, transaction

    from enrollment.services import run

    params = {**run.sql_params(policy, on=ON), "lo": 0, "hi": 2**62}
    split_regions = list(policy.fiscal_split)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path TO baseline, public")
        for sql in (run.INSERT_CONTRIBUTIONS, run.INSERT_SUBSIDIES, run.TRANSFER, run.STATUS):
            cursor.execute(sql, params)
        cursor.execute(
            """
            INSERT INTO enrollment_fundincome (year, source, region_code, headcount, amount, booked_on, donor,
                                               purpose, source_key, created_at)
            SELECT %(year)s, src, region_code, hc, amt, %(on)s, '', '', 'run:' || %(year)s || ':' || src || ':'
                   || region_code || ':1', now()
            FROM (
              SELECT region_code, 'pooled_fund' src, count(*) FILTER (WHERE pooled_fund_amount > 0) hc,
                     sum(pooled_fund_amount) amt FROM enrollment_contribution WHERE year = %(year)s GROUP BY 1
              UNION ALL
              SELECT region_code, 'fiscal', count(*) FILTER (WHERE fiscal_amount > 0), sum(fiscal_amount)
              FROM enrollment_contribution WHERE year = %(year)s AND region_code <> ALL(%(split)s) GROUP BY 1
              UNION ALL
              SELECT region_code, 'fiscal_city', count(*) FILTER (WHERE fiscal_amount > 0),
                     round(sum(fiscal_amount) * 0.5, 2)
              FROM enrollment_contribution WHERE year = %(year)s AND region_code = ANY(%(split)s) GROUP BY 1
              UNION ALL
              SELECT region_code, 'fiscal_district', count(*) FILTER (WHERE fiscal_amount > 0),
                     sum(fiscal_amount) - round(sum(fiscal_amount) * 0.5, 2)
              FROM enrollment_contribution WHERE year = %(year)s AND region_code = ANY(%(split)s) GROUP BY 1
              UNION ALL
              SELECT region_code, 'fiscal_subsidy', count(*) FILTER (WHERE subsidised AND individual_amount > 0),
                     sum(individual_amount) FILTER (WHERE subsidised)
              FROM enrollment_contribution WHERE year = %(year)s GROUP BY 1
            ) t WHERE hc > 0""",
            {**params, "split": split_regions},
        )


COMPARE = {
    "contributions": """SELECT person_id, year, insurance_type, region_code, total_amount, individual_amount,
        pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category, individual_paid, status,
        due_by, fully_paid_on FROM {s}.enrollment_contribution""",
    "transactions": """SELECT c.person_id, t.kind, t.amount, t.occurred_on, t.channel
        FROM {s}.enrollment_contributiontransaction t JOIN {s}.enrollment_contribution c ON c.id = t.contribution_id""",
    "fund income": "SELECT year, source, region_code, headcount, amount FROM {s}.enrollment_fundincome",
}


@register(
    "contributions",
    size_arg="persons",
    default_size=1_000_000,
    all_size=20_000,
    help="yearly contribution run for N persons vs plain SQL",
)
def bench_contributions(n: int) -> dict:
    setup_fresh_database("bench_contributions")
    from django.core.management import call_command

    from enrollment.services.run import contribution_run_year
    from enrollment.services.standards import year_policy

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    results: dict = {}
    with timer(results, "load"):
        load(n)
    print(f"contributions: {n} persons loaded in {results['load']:.1f}s", flush=True)
    with timer(results, "real"):
        contribution_run_year(year=YEAR, on=ON)
    with timer(results, "baseline"):
        baseline_run(year_policy(YEAR))
    results["equal"] = schemas_equal(COMPARE)
    print(report(f"contributions ({n} persons)", results))
    sys.stdout.flush()
    on_workers(n, results)
    return results


def on_workers(n: int, results: dict, counts=(1, 2)) -> None:
    """The same run fanned out to 1 and 2 Celery worker processes (issue 20), each from no contributions of
    the year, each compared with the baseline again; times and ratios to the in-process run printed."""
    from django.db import connection

    from enrollment.services.run import contribution_fanout

    from ._workers import timed_on_workers

    def reset():
        with connection.cursor() as cursor:  # the bench's own database: the year's rows, as before the run
            cursor.execute(
                "TRUNCATE enrollment_contributiontransaction, enrollment_contribution, enrollment_fundincome CASCADE"
            )

    def start():
        return contribution_fanout(year=YEAR, on=ON)

    equal = True

    def checked():
        nonlocal equal
        equal = equal and schemas_equal(COMPARE)

    times = timed_on_workers(counts, start, reset=reset, after=checked)
    results["workers"] = times
    results["workers_equal"] = equal
    for count, seconds in times.items():
        print(
            f"contributions ({n} persons) on {count} worker process(es): {seconds:.2f}s, "
            f"ratio to in-process {seconds / results['real']:.2f}, to plain SQL {seconds / results['baseline']:.2f}"
        )
    print(f"contributions on workers: results equal to plain SQL: {equal}", flush=True)

"""Yearly contribution run for N persons: the real service vs plain SQL on a copy of the data."""

import datetime as dt
import sys

from . import copy_foreign_keys, register, report, schemas_equal, setup_fresh_database, timer

REGIONS = ["320302", "320303", "320305", "320311", "320312", "320321", "320322", "320324", "320381", "320382"]
YEAR = 2026
ON = dt.date(2026, 1, 20)


# Deterministic persons, made by the database in one statement (5,000,000 in well under the run's time):
# unique valid ID numbers (GB 11643: region, birth date, serial, ISO 7064 MOD 11-2 check character; the
# 17th digit odd for men), both insurance types, one in 50 subsidised (medical aid), one in 40 enrolled in
# the year (a month 1-11), the employees with a personal account and a balance of 0-30 yuan.
PEOPLE = """
CREATE TEMP TABLE bench_people AS
WITH g AS (
    SELECT i, (ARRAY['320302', '320303', '320305', '320311', '320312', '320321', '320322', '320324', '320381',
                     '320382'])[i %% 10 + 1] AS region,
           date '1940-01-01' + (i / 10) / 1000 AS birth, (i / 10) %% 1000 AS serial
    FROM generate_series(0, %(n)s - 1) i
), f AS (
    SELECT g.*, region || to_char(birth, 'YYYYMMDD') || lpad(serial::text, 3, '0') AS first17 FROM g
)
SELECT i + 1 AS id,
       first17 || substr('10X98765432', (
           SELECT sum(substr(first17, k, 1)::int * (ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[k])
           FROM generate_series(1, 17) k)::int %% 11 + 1, 1) AS national_id,
       'P' || i AS name, birth AS birth_date, CASE WHEN serial %% 2 = 1 THEN 'M' ELSE 'F' END AS sex,
       CASE WHEN i %% 3 <> 0 THEN 'employee' ELSE 'resident' END AS insurance_type, region AS region_code,
       CASE WHEN i %% 50 = 0 THEN '{medical_aid}' ELSE '{}' END::varchar(40)[] AS categories,
       i %% 3 <> 0 AS has_personal_account,
       CASE WHEN i %% 40 = 0 THEN make_date(2026, 1 + i %% 11, 10) ELSE date '2020-01-01' END AS start
FROM f
"""


def load(n: int, *, baseline_copy: bool = True) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PEOPLE, {"n": n})
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
        tables = BASELINE_TABLES if baseline_copy else ()
        for table in tables:
            cursor.execute(f"CREATE TABLE baseline.{table} (LIKE public.{table} INCLUDING ALL)")
            cursor.execute(f"INSERT INTO baseline.{table} SELECT * FROM public.{table}")  # noqa: S608
        if tables:
            copy_foreign_keys(cursor, tables)
        cursor.execute("ANALYZE")


BASELINE_TABLES = (
    "enrollment_person",
    "enrollment_coverageperiod",
    "enrollment_accountevent",
    "enrollment_contribution",
    "enrollment_contributiontransaction",
    "enrollment_fundincome",
    "settlement_ledgerentry",
)
# (The product also checks a transaction's contribution, by a statement-level trigger, as its contribution table
# is partitioned; the baseline's copy has no key on the id alone to point a foreign key at, and goes unchecked.)
# The baseline's written tables, emptied for a second baseline run without their foreign keys (printed beside
# the first: what the rows' checks cost plain SQL).
BASELINE_WRITTEN = (
    "enrollment_contribution",
    "enrollment_contributiontransaction",
    "enrollment_fundincome",
    "settlement_ledgerentry",
)


# The baseline is written from SPEC 3.3 and the policy values alone, without the run's SQL: one pass that
# picks each person's standard, works out the subsidy, the account transfer and the status, and inserts every
# contribution once with its final values (the run inserts, then transfers and updates the status per chunk).
PICK = """
CREATE TEMP TABLE b_pick ON COMMIT DROP AS
SELECT person_id, itype, region_code, birth_date, categories, has_personal_account, prio, total, individual,
       pooled, fiscal, employer, record, ref,
       CASE WHEN ref > make_date(%(y)s, 1, 1)
            THEN greatest(%(deadline)s::date, ((date_trunc('month', ref) + interval '1 month')::date - 1))
            ELSE %(deadline)s::date END AS due
FROM (
    SELECT p.id AS person_id, cp.insurance_type AS itype, p.region_code, p.birth_date, p.categories,
           p.has_personal_account, s.prio, s.total, s.individual, s.pooled, s.fiscal, s.employer, s.record,
           CASE WHEN cp.start > s.from_day THEN cp.start ELSE s.from_day END AS ref,
           row_number() OVER (PARTITION BY p.id ORDER BY cp.start, s.prio) AS nth
    FROM enrollment_person p
    JOIN enrollment_coverageperiod cp ON cp.person_id = p.id
    JOIN b_std s ON s.itype = cp.insurance_type
                AND (s.category = '' OR p.categories @> ARRAY[s.category]::varchar[])
    WHERE cp.start <= make_date(%(y)s, 12, 31) AND coalesce(cp."end", 'infinity'::date) >= s.from_day
      AND coalesce(p.died_on, 'infinity'::date) >= s.from_day
) ranked
WHERE nth = 1
"""

SUBSIDY = """
CREATE TEMP TABLE b_sub_of ON COMMIT DROP AS
SELECT k.person_id, coalesce(
    CASE WHEN cardinality(k.categories) > 0
         THEN (SELECT s.cat FROM b_sub s WHERE s.cat = ANY(k.categories) ORDER BY s.pos LIMIT 1) END,
    CASE WHEN %(age)s::int IS NOT NULL AND k.itype = 'resident'
              AND date_part('year', age(k.ref, k.birth_date)) >= %(age)s::int
         THEN 'resident_age_' || %(age)s::int END) AS cat
FROM b_pick k
"""

BALANCES = """
CREATE TEMP TABLE b_money ON COMMIT DROP AS
WITH ev AS (
    SELECT e.person_id, e.amount, e.occurred_on,
           row_number() OVER (PARTITION BY e.person_id ORDER BY e.occurred_on DESC, e.id DESC) AS latest
    FROM enrollment_accountevent e WHERE e.event = 'balance' AND e.occurred_on <= %(on)s
), at_due AS (
    SELECT k.person_id, e.amount,
           row_number() OVER (PARTITION BY k.person_id ORDER BY e.occurred_on DESC, e.id DESC) AS latest
    FROM b_pick k JOIN enrollment_accountevent e ON e.person_id = k.person_id AND e.event = 'balance'
                                                AND e.occurred_on <= k.due
    WHERE %(on)s::date > k.due
)
SELECT k.person_id, t.amount AS transfer,
       CASE WHEN %(on)s::date > k.due AND d.amount >= t.amount THEN k.due ELSE %(on)s::date END AS paid_on
FROM b_pick k
JOIN b_sub_of so ON so.person_id = k.person_id AND so.cat IS NULL
JOIN ev ON ev.person_id = k.person_id AND ev.latest = 1 AND ev.amount > 0
CROSS JOIN LATERAL (SELECT least(k.individual, ev.amount) AS amount) t
LEFT JOIN at_due d ON d.person_id = k.person_id AND d.latest = 1
WHERE k.itype = 'employee' AND k.has_personal_account AND k.individual > 0
"""

# The run's result includes the fund's books (SPEC 7.3): the individual's own money paid by a transfer is the
# fund's income from individuals on the day it was taken, in the person's region; each fund income line is
# income of its kind (the fiscal lines, also the fiscal payment of subsidised persons' parts, are fiscal
# income; the fiscal subsidy's transactions are not posted twice). The baseline writes these entries itself,
# from what it inserts, in the same statements.
WRITE = """
WITH c AS (
    INSERT INTO enrollment_contribution (person_id, year, insurance_type, region_code, total_amount,
        individual_amount, pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category,
        individual_paid, status, due_by, fully_paid_on, booked_on, policy_record_id, created_at)
    SELECT k.person_id, %(y)s, k.itype, k.region_code, k.total, k.individual, k.pooled, k.fiscal, k.employer,
           so.cat IS NOT NULL, coalesce(so.cat, ''), paid.amount,
           CASE WHEN so.cat IS NOT NULL THEN 'waived'
                WHEN paid.amount >= k.individual THEN 'paid'
                WHEN %(on)s::date > k.due THEN 'arrears'
                WHEN paid.amount > 0 THEN 'partly_paid'
                ELSE 'due' END,
           k.due,
           CASE WHEN so.cat IS NOT NULL THEN k.ref
                WHEN m.transfer IS NOT NULL AND m.transfer >= k.individual THEN m.paid_on END,
           %(on)s, k.record, now()
    FROM b_pick k
    JOIN b_sub_of so ON so.person_id = k.person_id
    LEFT JOIN b_money m ON m.person_id = k.person_id
    CROSS JOIN LATERAL (SELECT CASE WHEN so.cat IS NOT NULL THEN k.individual
                                    ELSE coalesce(m.transfer, 0) END AS amount) paid
    RETURNING id, person_id, individual_amount, subsidised, region_code
), t AS (
    INSERT INTO enrollment_contributiontransaction (contribution_id, kind, amount, occurred_on, channel,
                                                    source_key, created_at)
    SELECT c.id, 'fiscal_subsidy', c.individual_amount, %(on)s, 'fiscal', 'run:' || %(y)s || ':subsidy:' || c.id,
           now()
    FROM c WHERE c.subsidised AND c.individual_amount > 0
    UNION ALL
    SELECT c.id, 'account_transfer', m.transfer, m.paid_on, 'personal_account',
           'run:' || %(y)s || ':transfer:' || c.id, now()
    FROM c JOIN b_money m ON m.person_id = c.person_id
    RETURNING id, contribution_id, kind, amount, occurred_on
)
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo, created_at)
SELECT 'contribution_tx:' || t.id, t.occurred_on, 'income_individual', 'contribution', c.region_code, t.amount,
       'account_transfer ' || %(y)s, now()
FROM t JOIN c ON c.id = t.contribution_id
WHERE t.kind = 'account_transfer'
"""

FUND_LEDGER = """
INSERT INTO settlement_ledgerentry (reference, booked_on, account, source, region_code, amount, memo, created_at)
SELECT 'fund_income:' || f.id, f.booked_on,
       CASE WHEN f.source LIKE 'fiscal%%' THEN 'income_fiscal' ELSE 'income_' || f.source END,
       'fund_income', f.region_code, f.amount, f.source || ' ' || f.year, now()
FROM enrollment_fundincome f WHERE f.year = %(y)s
"""

FUND_INCOME = """
INSERT INTO enrollment_fundincome (year, source, region_code, headcount, amount, booked_on, donor, purpose,
                                   source_key, created_at)
SELECT %(y)s, src, region_code, hc, amt, %(on)s, '', '', 'run:' || %(y)s || ':' || src || ':' || region_code || ':1',
       now()
FROM (
  SELECT region_code, 'pooled_fund' src, count(*) FILTER (WHERE pooled_fund_amount > 0) hc,
         sum(pooled_fund_amount) amt FROM enrollment_contribution WHERE year = %(y)s GROUP BY 1
  UNION ALL
  SELECT region_code, 'fiscal', count(*) FILTER (WHERE fiscal_amount > 0), sum(fiscal_amount)
  FROM enrollment_contribution c WHERE year = %(y)s AND NOT EXISTS (SELECT 1 FROM b_split WHERE region = c.region_code)
  GROUP BY 1
  UNION ALL
  SELECT region_code, 'fiscal_city', count(*) FILTER (WHERE fiscal_amount > 0), round(sum(fiscal_amount) * max(share), 2)
  FROM enrollment_contribution JOIN b_split ON region = region_code WHERE year = %(y)s GROUP BY 1
  UNION ALL
  SELECT region_code, 'fiscal_district', count(*) FILTER (WHERE fiscal_amount > 0),
         sum(fiscal_amount) - round(sum(fiscal_amount) * max(share), 2)
  FROM enrollment_contribution JOIN b_split ON region = region_code WHERE year = %(y)s GROUP BY 1
  UNION ALL
  SELECT region_code, 'employer', count(*) FILTER (WHERE employer_amount > 0), sum(employer_amount)
  FROM enrollment_contribution WHERE year = %(y)s GROUP BY 1
  UNION ALL
  SELECT region_code, 'fiscal_subsidy', count(*) FILTER (WHERE subsidised AND individual_amount > 0),
         sum(individual_amount) FILTER (WHERE subsidised)
  FROM enrollment_contribution WHERE year = %(y)s GROUP BY 1
) t WHERE hc > 0
"""


def baseline_run(policy, on: dt.date = ON) -> None:
    """The same rows by plain SQL over the whole population in one transaction, from the policy's values
    (no chunks, no job, none of the run's SQL)."""
    from django.db import connection, transaction

    y = policy.year
    month, day = (int(x) for x in policy.deadline.split("-"))
    params = {"y": y, "on": on, "deadline": dt.date(y, month, day), "age": policy.resident_age_min}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path TO baseline, public")
        cursor.execute("SET LOCAL jit = off")  # compiling costs more than these statements gain from it
        cursor.execute(
            "CREATE TEMP TABLE b_std (prio int, itype varchar, category varchar, from_day date, total numeric, "
            "individual numeric, pooled numeric, fiscal numeric, employer numeric, record bigint) ON COMMIT DROP"
        )
        cursor.executemany(
            "INSERT INTO b_std VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    i,
                    t.insurance_type,
                    t.category,
                    t.covered_from,
                    t.amounts.total,
                    t.amounts.individual,
                    t.amounts.pooled_fund,
                    t.amounts.fiscal,
                    t.amounts.employer,
                    t.record_id,
                )
                for i, t in enumerate(policy.all_standards())
            ],
        )
        cursor.execute("CREATE TEMP TABLE b_sub (pos int, cat varchar) ON COMMIT DROP")
        cursor.executemany("INSERT INTO b_sub VALUES (%s, %s)", list(enumerate(policy.subsidised)))
        cursor.execute("CREATE TEMP TABLE b_split (region varchar, share numeric) ON COMMIT DROP")
        cursor.executemany(
            "INSERT INTO b_split VALUES (%s, %s)", [(r, v[0]) for r, v in policy.fiscal_split.items()]
        )
        cursor.execute("ANALYZE b_std, b_sub, b_split")
        for sql, table in ((PICK, "b_pick"), (SUBSIDY, "b_sub_of"), (BALANCES, "b_money")):
            cursor.execute(sql, params)
            cursor.execute(f"ANALYZE {table}")
        cursor.execute(WRITE, params)
        cursor.execute(FUND_INCOME, params)
        cursor.execute(FUND_LEDGER, params)


COMPARE = {
    "contributions": """SELECT person_id, year, insurance_type, region_code, total_amount, individual_amount,
        pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category, individual_paid, status,
        due_by, fully_paid_on FROM {s}.enrollment_contribution""",
    "transactions": """SELECT c.person_id, t.kind, t.amount, t.occurred_on, t.channel
        FROM {s}.enrollment_contributiontransaction t JOIN {s}.enrollment_contribution c ON c.id = t.contribution_id""",
    "fund income": "SELECT year, source, region_code, headcount, amount FROM {s}.enrollment_fundincome",
    "ledger": """SELECT split_part(reference, ':', 1), booked_on, account, source, region_code, amount, memo
        FROM {s}.settlement_ledgerentry""",
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
    without_foreign_keys(results)
    sys.stdout.flush()
    on_workers(n, results)
    return results


@register(
    "contributions-scaling",
    size_arg="persons",
    default_size=1_000_000,
    all_size=10_000,
    help="yearly run at N and 5N persons: time per person of each (linear: 5N within 1.2x of N)",
)
def bench_scaling(n: int) -> dict:
    """The real run alone, on a fresh database of N persons and then of 5N (the baseline is the bench above)."""
    results: dict = {}
    for size in (n, 5 * n):
        setup_fresh_database("bench_contributions")
        from django.core.management import call_command

        from enrollment.services.run import contribution_run_year

        call_command("load_policy", "xuzhou-2022", verbosity=0)
        load(size, baseline_copy=False)
        with timer(results, f"run_{size}"):
            contribution_run_year(year=YEAR, on=ON)
        per = results[f"run_{size}"] / size * 1e6
        results[f"per_person_{size}"] = per
        print(
            f"contributions scaling: {size} persons in {results[f'run_{size}']:.1f}s, {per:.1f} µs a person"
        )
    growth = results[f"per_person_{5 * n}"] / results[f"per_person_{n}"]
    results["growth"] = growth
    print(
        f"contributions scaling: time a person at {5 * n} / at {n} = {growth:.2f} "
        f"({'linear' if growth <= 1.2 else 'NOT linear'}: the target is at most 1.2)"
    )
    sys.stdout.flush()
    return results


def without_foreign_keys(results: dict) -> None:
    """The baseline again on its emptied result tables without their foreign keys: printed for comparison
    (the ratio of the bench is to the baseline writing checked rows, as the product does)."""
    from django.db import connection

    from enrollment.services.standards import year_policy

    with connection.cursor() as cursor:
        tables = ", ".join(f"baseline.{t}" for t in BASELINE_WRITTEN)
        cursor.execute(f"TRUNCATE {tables}")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid = ANY(%s::regclass[])",
            [[f"baseline.{t}" for t in BASELINE_WRITTEN]],
        )
        for table, name in cursor.fetchall():
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    with timer(results, "baseline_no_fk"):
        baseline_run(year_policy(YEAR))
    equal = schemas_equal(COMPARE)
    print(
        f"contributions: plain SQL without foreign keys {results['baseline_no_fk']:.2f}s, "
        f"ratio {results['real'] / results['baseline_no_fk']:.2f}, results equal: {equal}",
        flush=True,
    )


def on_workers(n: int, results: dict, counts=(1, 2)) -> None:
    """The same run fanned out to 1 and 2 Celery worker processes (issue 20), each from no contributions of
    the year, each compared with the baseline again; times and ratios to the in-process run printed."""
    from django.db import connection

    from enrollment.services.run import contribution_fanout

    from ._workers import timed_on_workers

    def reset():
        with connection.cursor() as cursor:  # the bench's own database: the year's rows, as before the run
            cursor.execute(
                "TRUNCATE enrollment_contributiontransaction, enrollment_contribution, enrollment_fundincome, "
                "settlement_ledgerentry CASCADE"
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

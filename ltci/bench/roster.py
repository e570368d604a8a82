"""Roster import of N rows: the real import (parse, validate, COPY, set-based upserts) vs a plain COPY."""

import datetime as dt
import io

from . import register, report, schemas_equal, setup_fresh_database, timer
from .contributions import REGIONS

HEADER = (
    "national_id,name,insurance_type,region_code,enrolled_on,categories,has_personal_account,ended_on,"
    "end_reason\n"
)


def roster_csv(n: int) -> bytes:
    from ltci.core.idnumber import make_id_number

    out = io.StringIO()
    out.write(HEADER)
    base = dt.date(1940, 1, 1)
    for i in range(n):
        region = REGIONS[i % 10]
        birth = base + dt.timedelta(days=(i // 10) // 1000)
        number = make_id_number(region, birth, (i // 10) % 1000)
        employee = i % 3 != 0
        cats = "low_income;medical_aid" if i % 50 == 0 else ""
        ended = "2025-06-30,moved_out" if i % 97 == 0 else ","
        out.write(
            f"{number},P{i},{'employee' if employee else 'resident'},{region},2022-01-01,{cats},"
            f"{'true' if employee else 'false'},{ended}\n"
        )
    return out.getvalue().encode()


BASELINE = """
INSERT INTO baseline.enrollment_person (national_id, name, birth_date, sex, insurance_type, region_code, categories,
    has_personal_account, village_code, created_at, updated_at)
SELECT national_id, name, to_date(substr(national_id, 7, 8), 'YYYYMMDD'),
       CASE WHEN substr(national_id, 17, 1)::int % 2 = 1 THEN 'M' ELSE 'F' END, insurance_type, region_code,
       coalesce(string_to_array(nullif(categories, ''), ';'), '{}')::varchar[], has_personal_account::boolean, '', now(), now()
FROM baseline_stage;
INSERT INTO baseline.enrollment_coverageperiod (person_id, insurance_type, start, "end", start_reason, end_reason)
SELECT p.id, s.insurance_type, s.enrolled_on::date, nullif(s.ended_on, '')::date, 'enrolled', coalesce(s.end_reason, '')
FROM baseline_stage s JOIN baseline.enrollment_person p ON p.national_id = s.national_id;
"""

COMPARE = {
    "persons": """SELECT national_id, name, birth_date, sex, insurance_type, region_code,
        array_to_string(categories, ';'), has_personal_account FROM {s}.enrollment_person""",
    "coverage": """SELECT p.national_id, c.insurance_type, c.start, c."end", c.start_reason, c.end_reason
        FROM {s}.enrollment_coverageperiod c JOIN {s}.enrollment_person p ON p.id = c.person_id""",
}


@register(
    "roster",
    size_arg="rows",
    default_size=1_000_000,
    all_size=20_000,
    help="roster import of N rows vs plain COPY",
)
def bench_roster(n: int) -> dict:
    setup_fresh_database("bench_roster")
    from django.core.management import call_command
    from django.db import connection, transaction

    from enrollment.imports import import_roster

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    content = roster_csv(n)
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA baseline")
        for table in ("enrollment_person", "enrollment_coverageperiod"):
            cursor.execute(f"CREATE TABLE baseline.{table} (LIKE public.{table} INCLUDING ALL)")
    results: dict = {}
    with timer(results, "real"):
        rep = import_roster(content=content, filename="bench.csv")
    print(f"roster: {rep.summary()}")
    with timer(results, "baseline"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""CREATE TEMP TABLE baseline_stage (national_id text, name text, insurance_type text,
            region_code text, enrolled_on text, categories text, has_personal_account text, ended_on text,
            end_reason text) ON COMMIT DROP""")
        with cursor.cursor.copy("COPY baseline_stage FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(content)
        cursor.execute(BASELINE)
    results["equal"] = schemas_equal(COMPARE)
    print(report(f"roster import ({n} rows)", results))
    return results

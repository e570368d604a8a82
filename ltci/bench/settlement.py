"""Monthly settlement of N service records (~N/30 beneficiaries, 300 institutions): the real run vs plain SQL.

Data (June 2024, 30 days): every beneficiary is severe, resident in one of 300 elderly-care institutions on
a registered bed, and has one life-care bed-day record per day; charges vary around the 60 yuan standard
(some above it: OVER_PRICE), 1 in 50 persons spends days 10-12 in hospital (HOSPITAL).

The baseline is plain SQL producing the same rows the run stores (SPEC 12: "what PostgreSQL itself needs
for the same rows"), like the contributions benchmark: one settlement line per (institution, person) and
one audit row per record, written to copies of the two tables in schema ``baseline`` (same columns,
indexes, checks and foreign keys). Lines and audits of both must be equal, column by column.
"""

import datetime as dt

from . import register, report, schemas_equal, setup_fresh_database, timer

MONTH = dt.date(2024, 6, 1)
INSTITUTIONS = 300

LOAD_SQL = [
    """INSERT INTO institutions_institution (id, code, name, type, region_code, credit_code, address, contact_name,
        contact_phone, bank_name, bank_account, status, created_at)
       SELECT g, 'BJ' || lpad(g::text, 4, '0'), '机构' || g, 'elderly_care', '320302', '', '', '', '', '', '',
              'active', now() FROM generate_series(1, %(inst)s) g""",
    """INSERT INTO institutions_agreement (institution_id, valid_from, valid_to, care_forms, insurance_expires_on,
        state, created_at)
       SELECT g, '2023-01-01', '2026-12-31', '{residential}', '2026-12-31', 'active', now()
       FROM generate_series(1, %(inst)s) g""",
    """INSERT INTO enrollment_person (id, national_id, name, birth_date, sex, insurance_type, region_code,
        categories, has_personal_account, village_code, created_at, updated_at)
       SELECT g, '1' || lpad(g::text, 17, '0'), 'P' || g, '1940-01-01', 'M', 'employee', '320302',
              CASE WHEN g %% 20 = 0 THEN '{medical_aid}'::varchar[] ELSE '{}'::varchar[] END, true, '', now(), now()
       FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, start_reason, end_reason)
       SELECT g, 'employee', '2020-01-01', 'enrolled', '' FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO enrollment_contribution (person_id, year, insurance_type, region_code, total_amount,
        individual_amount, pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category,
        individual_paid, status, due_by, fully_paid_on, created_at)
       SELECT g, y, 'employee', '320302', 70, 20, 30, 20, 0, false, '', 20, 'paid', make_date(y, 1, 31),
              make_date(y, 1, 10), now()
       FROM generate_series(1, %(persons)s) g, generate_series(2023, 2024) y""",
    """INSERT INTO assessment_conclusion (person_id, grade, concluded_on, valid_until, state, scale_version,
        imported, created_at)
       SELECT g, 4, '2024-01-01', '2025-12-31', 'final', 'nhsa-2021', true, now()
       FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO institutions_bed (id, institution_id, label, registered_from)
       SELECT g, 1 + g %% %(inst)s, 'B' || g, '2023-01-01' FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO benefits_benefitdecision (person_id, benefit_class, care_form, institution_id, starts_on,
        end_reason, imported, note, created_at)
       SELECT g, 'severe', 'residential', 1 + g %% %(inst)s, '2024-01-01', '', true, '', now()
       FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO benefits_admission (person_id, institution_id, bed_id, admitted_on)
       SELECT g, 1 + g %% %(inst)s, g, '2024-01-01' FROM generate_series(1, %(persons)s) g""",
    """INSERT INTO benefits_hospitalstay (person_id, admitted_on, discharged_on, hospital)
       SELECT g, '2024-06-10', '2024-06-13', 'H' FROM generate_series(1, %(persons)s) g WHERE g %% 50 = 0""",
    """INSERT INTO settlement_servicerecord (institution_id, person_id, kind, service_date, component,
        charged_amount, caregiver_national_id, items, origin, source_key, client_key, confirmed, excluded_code,
        excluded_note, held_reason, hold_decision, received_at)
       SELECT 1 + g %% %(inst)s, g, 'bed_day', d::date, 'life', 50 + (g + extract(day from d)::int) %% 15, '', '{}',
              'file', 'bench:' || g || ':' || d::date, '', true, '', '', '', '', now()
       FROM generate_series(1, %(persons)s) g, generate_series('2024-06-01'::date, '2024-06-30', '1 day') d""",
]

BASELINE_SQL = [
    """CREATE TEMP TABLE baseline_records AS
       SELECT r.id, r.institution_id, r.person_id, r.service_date, r.charged_amount AS charged,
              CASE WHEN h.person_id IS NULL THEN least(r.charged_amount, 60.00) ELSE 0 END AS base,
              CASE WHEN h.person_id IS NOT NULL THEN 'HOSPITAL' WHEN r.charged_amount > 60.00 THEN 'OVER_PRICE' END
                  AS code,
              CASE WHEN h.person_id IS NOT NULL THEN 'inpatient in ' || h.hospital || ' from '
                   || h.admitted_on || ' (discharge ' || h.discharged_on || ')' ELSE '' END AS detail,
              CASE WHEN p.categories && '{pupil,preschool,university_student,medical_aid,disabled_severe}'
                   THEN 0.75 ELSE 0.70 END AS ratio
       FROM settlement_servicerecord r
       JOIN enrollment_person p ON p.id = r.person_id
       LEFT JOIN benefits_hospitalstay h ON h.person_id = r.person_id AND r.service_date >= h.admitted_on
            AND r.service_date < h.discharged_on
       WHERE r.service_date BETWEEN '2024-06-01' AND '2024-06-30'""",
    """INSERT INTO baseline.settlement_settlementline (run_id, institution_id, person_id, care_form, service_month,
           quantity, charged_amount, fund_amount, personal_amount, rejected_amount, reason_codes, is_late,
           is_adjustment, details)
       SELECT %(run)s, institution_id, person_id, 'residential', '2024-06-01', quantity, charged, fund, base - fund,
              charged - base, codes, false, false, '{"classes": ["severe"]}'
       FROM (SELECT institution_id, person_id, count(DISTINCT service_date) AS quantity, sum(charged) AS charged,
                    sum(base) AS base, round(sum(base * ratio), 2) AS fund,
                    coalesce(array_agg(DISTINCT code) FILTER (WHERE code IS NOT NULL), '{}') AS codes
             FROM baseline_records GROUP BY institution_id, person_id) l""",
    """INSERT INTO baseline.settlement_recordaudit (run_id, record_id, line_id, codes, charged_amount, base_amount,
           rejected_amount, detail, service_month)
       SELECT %(run)s, b.id, l.id, CASE WHEN b.code IS NULL THEN '{}' ELSE ARRAY[b.code] END, b.charged, b.base,
              b.charged - b.base, b.detail, '2024-06-01'
       FROM baseline_records b
       JOIN baseline.settlement_settlementline l ON l.institution_id = b.institution_id AND l.person_id = b.person_id""",
    "DROP TABLE baseline_records",
]
RESULT_TABLES = ("settlement_settlementline", "settlement_recordaudit")
COMPARE = {
    "lines": """SELECT institution_id, person_id, care_form, service_month, quantity, charged_amount, fund_amount,
                       personal_amount, rejected_amount, reason_codes::text, is_late, details::text
                FROM {s}.settlement_settlementline""",
    "record audits": """SELECT a.record_id, l.institution_id, l.person_id, a.codes::text, a.charged_amount,
                               a.base_amount, a.rejected_amount, a.detail
                        FROM {s}.settlement_recordaudit a JOIN {s}.settlement_settlementline l ON l.id = a.line_id""",
}


def _baseline_tables(cursor) -> None:
    """Empty copies of the result tables in schema baseline, with the same indexes, checks and foreign
    keys (the line of an audit row is the baseline's own line)."""
    cursor.execute("CREATE SCHEMA baseline")
    for table in RESULT_TABLES:
        cursor.execute(f"CREATE TABLE baseline.{table} (LIKE public.{table} INCLUDING ALL)")
    for table in RESULT_TABLES:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [f"public.{table}"],
        )
        for name, definition in cursor.fetchall():
            cursor.execute("SET search_path TO baseline, public")
            cursor.execute(f"ALTER TABLE baseline.{table} ADD CONSTRAINT {name} {definition}")
            cursor.execute("RESET search_path")


@register(
    "settlement",
    size_arg="records",
    default_size=1_500_000,
    all_size=60_000,
    help="monthly settlement of N bed-day records (N/30 beneficiaries, 300 institutions)",
)
def bench(records: int) -> dict:
    setup_fresh_database("bench_settlement")
    from django.core.management import call_command
    from django.db import connection

    from settlement.services.run import settlement_run

    persons = max(1, records // 30)
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    results: dict = {"records": persons * 30, "persons": persons}
    from ltci.core.partitions import ensure_partitions

    ensure_partitions(
        "settlement_servicerecord", MONTH
    )  # the month's records partition, as an import makes it
    with connection.cursor() as cursor:
        for sql in LOAD_SQL:
            cursor.execute(sql, {"inst": INSTITUTIONS, "persons": persons})
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('institutions_institution', 'id'), %s)", [INSTITUTIONS]
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_person', 'id'), %s)", [persons])
        cursor.execute("SELECT setval(pg_get_serial_sequence('institutions_bed', 'id'), %s)", [persons])
        cursor.execute("ANALYZE")
    with connection.cursor() as cursor:
        _baseline_tables(cursor)
    with timer(results, "real"):
        run = settlement_run(month=MONTH)
    with timer(results, "baseline"), connection.cursor() as cursor:
        for sql in BASELINE_SQL:
            cursor.execute(sql, {"run": run.pk})
    results["equal"] = schemas_equal(COMPARE)
    results["fund_total"] = run.fund_total
    print(
        report(
            f"settlement ({results['records']} records, {persons} beneficiaries, {INSTITUTIONS} institutions)",
            results,
        )
    )
    if run.job_id:
        from ltci.core.models import JobRun

        print("stages:", JobRun.objects.get(pk=run.job_id).message)
    on_workers(results)
    return results


def on_workers(results: dict, counts=(1, 2)) -> None:
    """The same month fanned out to 1 and 2 Celery worker processes (issue 20): each a new version of the
    month (replacing the previous draft), compared with the baseline again; times and ratios printed."""
    from settlement.services.fanout import settlement_fanout

    from ._workers import timed_on_workers

    persons = results["persons"]
    equal = True

    def checked():
        nonlocal equal
        equal = equal and schemas_equal(COMPARE)

    def start():  # about 8 chunks of persons: both workers busy to the end
        return settlement_fanout(month=MONTH, chunk_persons=max(1, persons // 8))

    def reset():  # the baseline's rows point at the in-process run's version, which a new run replaces
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
                "AND connamespace = 'baseline'::regnamespace AND confrelid = 'public.settlement_settlementrun'::regclass"
            )
            for table, name in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")

    times = timed_on_workers(counts, start, reset=reset, after=checked)
    results["workers"] = times
    results["workers_equal"] = equal
    for count, seconds in times.items():
        print(
            f"settlement ({results['records']} records) on {count} worker process(es): {seconds:.2f}s, "
            f"ratio to in-process {seconds / results['real']:.2f}, to plain SQL {seconds / results['baseline']:.2f}"
        )
    print(f"settlement on workers: results equal to plain SQL: {equal}", flush=True)

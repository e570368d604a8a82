"""A month of eligibility (SPEC 5.1) for N beneficiaries: benefits.eligibility.month_verdicts (set-based,
chunked like the settlement run) vs one plain-SQL statement over generate_series for the same rows."""

import sys

from . import register, report, setup_fresh_database, timer

START, END = "2026-03-01", "2026-03-31"
CHUNK = 5000


def load(n: int) -> None:
    """Persons insured since 2020, paid on time for 2025-2026 (no waiting, no arrears), with conclusions
    (grades 0-5, some expiring in the month), decisions (some starting or ending in the month), hospital
    stays for 1 in 20 and deaths for 1 in 100."""
    from django.db import connection

    steps = [
        f"""INSERT INTO enrollment_person (id, national_id, name, birth_date, sex, insurance_type, region_code,
            categories, has_personal_account, village_code, died_on, created_at, updated_at)
            SELECT i, lpad(i::text, 18, '0'), 'P' || i, '1940-01-01', 'M', 'employee', '320302', '{{}}', true, '',
                   CASE WHEN i % 100 = 7 THEN date '2026-03-01' + (i % 31)::int END, now(), now()
            FROM generate_series(1, {int(n)}) i""",  # noqa: S608 (n is an int)
        """INSERT INTO enrollment_coverageperiod (person_id, insurance_type, start, "end", start_reason, end_reason)
            SELECT id, 'employee', '2020-01-01', died_on, 'enrolled', CASE WHEN died_on IS NULL THEN '' ELSE 'died' END
            FROM enrollment_person""",
        """INSERT INTO enrollment_contribution (person_id, year, insurance_type, region_code, total_amount,
            individual_amount, pooled_fund_amount, fiscal_amount, employer_amount, subsidised, subsidy_category,
            individual_paid, status, due_by, fully_paid_on, created_at)
            SELECT p.id, y, 'employee', '320302', 100, 30, 70, 0, 0, false, '', 30, 'paid',
                   make_date(y, 1, 31), make_date(y, 1, 10), now()
            FROM enrollment_person p CROSS JOIN generate_series(2025, 2026) y""",
        """INSERT INTO assessment_conclusion (person_id, grade, concluded_on, valid_until, state, scale_version,
            imported, created_at)
            SELECT id, id % 6, date '2025-06-01' + (id % 40)::int, CASE WHEN id % 9 = 0 THEN date '2026-03-15'
                   ELSE date '2027-05-31' END, 'final', 'nhsa-2021', true, now()
            FROM enrollment_person WHERE id % 13 <> 0""",
        """INSERT INTO benefits_benefitdecision (person_id, benefit_class, care_form, carer_trained, starts_on,
            ends_on, end_reason, imported, note, created_at)
            SELECT id, 'severe', 'home_family', true,
                   CASE WHEN id % 5 = 0 THEN date '2026-03-10' ELSE date '2025-08-01' END,
                   CASE WHEN id % 11 = 0 THEN date '2026-03-20' END,
                   CASE WHEN id % 11 = 0 THEN 'requested' ELSE '' END, true, '', now()
            FROM enrollment_person WHERE id % 17 <> 0""",
        """INSERT INTO benefits_hospitalstay (person_id, admitted_on, discharged_on, hospital)
            SELECT id, date '2026-03-03' + (id % 20)::int, CASE WHEN id % 3 = 0 THEN NULL
                   ELSE date '2026-03-03' + (id % 20)::int + (id % 7)::int END, 'H'
            FROM enrollment_person WHERE id % 20 = 1""",
        "ANALYZE",
    ]
    with connection.cursor() as cursor:
        for sql in steps:
            cursor.execute(sql)


BASELINE = """
WITH days AS (SELECT d::date AS day FROM generate_series(%(start)s::date, %(end)s::date, '1 day') d),
covered AS (SELECT value->'classes' AS classes FROM core_policyrecord r JOIN core_policyscheme s ON s.id = r.scheme_id
            WHERE s.active AND r.kind = 'covered_classes' AND r.key = '*' AND r.valid_from <= %(end)s::date
            ORDER BY r.valid_from DESC LIMIT 1)
SELECT p.id, count(*) FILTER (WHERE
    (p.died_on IS NULL OR d.day <= p.died_on)
    AND EXISTS (SELECT 1 FROM enrollment_coverageperiod c WHERE c.person_id = p.id AND c.start <= d.day
                AND (c."end" IS NULL OR c."end" >= d.day))
    AND EXISTS (SELECT 1 FROM enrollment_contribution k WHERE k.person_id = p.id
                AND k.year = extract(year FROM d.day) AND k.status IN ('paid', 'waived'))
    AND (SELECT CASE WHEN c.valid_until >= d.day THEN
                  (CASE WHEN c.grade >= 3 THEN 'severe' WHEN c.grade = 2 THEN 'moderate'
                        WHEN c.grade = 1 THEN 'mild' END) END
         FROM assessment_conclusion c WHERE c.person_id = p.id AND c.state = 'final' AND c.concluded_on <= d.day
         ORDER BY c.concluded_on DESC, c.id DESC LIMIT 1) IN (SELECT jsonb_array_elements_text(classes) FROM covered)
    AND EXISTS (SELECT 1 FROM benefits_benefitdecision b WHERE b.person_id = p.id AND b.starts_on <= d.day
                AND (b.ends_on IS NULL OR b.ends_on >= d.day))
    AND NOT EXISTS (SELECT 1 FROM benefits_hospitalstay h WHERE h.person_id = p.id AND h.admitted_on <= d.day
                    AND (h.discharged_on IS NULL OR h.discharged_on > d.day))
) AS eligible_days
FROM enrollment_person p CROSS JOIN days d GROUP BY p.id
"""


def real_run(n: int) -> dict[int, int]:
    import datetime as dt

    from benefits.eligibility import month_verdicts

    start, end = dt.date.fromisoformat(START), dt.date.fromisoformat(END)
    counts: dict[int, int] = {}
    for lo in range(1, n + 1, CHUNK):
        verdicts = month_verdicts(person_ids=range(lo, min(lo + CHUNK, n + 1)), start=start, end=end)
        for (person_id, _day), verdict in verdicts.items():
            counts[person_id] = counts.get(person_id, 0) + (1 if verdict.eligible else 0)
    return counts


def baseline_run() -> dict[int, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE, {"start": START, "end": END})
        return dict(cursor.fetchall())


@register(
    "eligibility",
    size_arg="persons",
    default_size=100_000,
    all_size=10_000,
    help="a month of eligibility for N beneficiaries vs plain SQL",
)
def bench_eligibility(n: int) -> dict:
    setup_fresh_database("bench_eligibility")
    from django.core.management import call_command

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    results: dict = {}
    with timer(results, "load"):
        load(n)
    print(f"eligibility: {n} persons loaded in {results['load']:.1f}s", flush=True)
    with timer(results, "real"):
        real = real_run(n)
    with timer(results, "baseline"):
        base = baseline_run()
    results["equal"] = real == base
    eligible = sum(real.values())
    print(
        f"  {n * 31} person-days, {eligible} eligible; differing persons: "
        f"{sum(1 for k in base if real.get(k) != base[k])}"
    )
    print(report(f"eligibility ({n} persons, {START[:7]})", results))
    sys.stdout.flush()
    return results

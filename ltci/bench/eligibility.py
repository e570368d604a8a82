"""A month of eligibility (SPEC 5.1) for N beneficiaries: benefits.eligibility.month_verdicts (set-based,
chunked like the settlement run) vs one set-based plain-SQL statement over date multiranges; each person's
eligible days must be the same days in both."""

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


# Set-based: each condition of SPEC 5.1 becomes a multirange of days per person (range_agg), the eligible days
# are their intersection minus the hospital stays; no per person-day subquery. A conclusion governs from its
# date until the next conclusion of the person (ties: the later id) and counts while valid and of a covered
# class.
BASELINE = """
WITH month AS (SELECT daterange(%(start)s::date, %(end)s::date, '[]') AS r),
covered AS (SELECT ARRAY(SELECT jsonb_array_elements_text(value->'classes')) AS classes
            FROM core_policyrecord r JOIN core_policyscheme s ON s.id = r.scheme_id
            WHERE s.active AND r.kind = 'covered_classes' AND r.key = '*' AND r.valid_from <= %(end)s::date
            ORDER BY r.valid_from DESC LIMIT 1),
coverage AS (SELECT person_id, range_agg(daterange(start, "end", '[]')) AS m
             FROM enrollment_coverageperiod GROUP BY person_id),
paid AS (SELECT person_id, range_agg(daterange(make_date(year, 1, 1), make_date(year, 12, 31), '[]')) AS m
         FROM enrollment_contribution WHERE status IN ('paid', 'waived') GROUP BY person_id),
governs AS (SELECT person_id, grade, valid_until, concluded_on,
                   lead(concluded_on) OVER (PARTITION BY person_id ORDER BY concluded_on, id) AS next_on
            FROM assessment_conclusion WHERE state = 'final'),
assessed AS (SELECT g.person_id,
                    range_agg(daterange(g.concluded_on, least(g.next_on, g.valid_until + 1), '[)')) AS m
             FROM governs g, covered
             WHERE (CASE WHEN g.grade >= 3 THEN 'severe' WHEN g.grade = 2 THEN 'moderate'
                         WHEN g.grade = 1 THEN 'mild' END) = ANY(covered.classes)
               AND (g.next_on IS NULL OR g.next_on > g.concluded_on)
             GROUP BY g.person_id),
decided AS (SELECT person_id, range_agg(daterange(starts_on, ends_on, '[]')) AS m
            FROM benefits_benefitdecision GROUP BY person_id),
away AS (SELECT person_id, range_agg(daterange(admitted_on, discharged_on, '[)')) AS m
         FROM benefits_hospitalstay GROUP BY person_id),
eligible AS (
    SELECT p.id,
           datemultirange(month.r) * datemultirange(daterange(NULL, p.died_on, '[]')) * c.m * k.m * a.m * d.m
           - coalesce(h.m, '{}'::datemultirange) AS m
    FROM enrollment_person p CROSS JOIN month
    JOIN coverage c ON c.person_id = p.id JOIN paid k ON k.person_id = p.id
    JOIN assessed a ON a.person_id = p.id JOIN decided d ON d.person_id = p.id
    LEFT JOIN away h ON h.person_id = p.id
)
SELECT p.id, coalesce(array_agg(day::date ORDER BY day) FILTER (WHERE day IS NOT NULL), '{}')
FROM enrollment_person p
LEFT JOIN eligible e ON e.id = p.id
LEFT JOIN LATERAL unnest(e.m) AS span(r) ON true
LEFT JOIN LATERAL generate_series(lower(span.r), upper(span.r) - 1, interval '1 day') AS day ON true
GROUP BY p.id
"""


def real_run(n: int) -> dict[int, list]:
    """Each person's eligible days of the month, by the real code."""
    import datetime as dt

    from benefits.eligibility import month_verdicts

    start, end = dt.date.fromisoformat(START), dt.date.fromisoformat(END)
    days: dict[int, list] = {i: [] for i in range(1, n + 1)}
    for lo in range(1, n + 1, CHUNK):
        verdicts = month_verdicts(person_ids=range(lo, min(lo + CHUNK, n + 1)), start=start, end=end)
        for (person_id, day), verdict in verdicts.items():
            if verdict.eligible:
                days[person_id].append(day)
    return {k: sorted(v) for k, v in days.items()}


def baseline_run() -> dict[int, list]:
    """Each person's eligible days of the month, by the plain SQL above."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE, {"start": START, "end": END})
        return {person: list(days) for person, days in cursor.fetchall()}


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
    eligible = sum(len(v) for v in real.values())
    differing = [k for k in real.keys() | base.keys() if real.get(k) != base.get(k)]
    print(
        f"  {n * 31} person-days, {eligible} eligible; persons whose eligible days differ: {len(differing)}"
        + (
            f" (e.g. {differing[0]}: real {real.get(differing[0])}, SQL {base.get(differing[0])})"
            if differing
            else ""
        )
    )
    print(report(f"eligibility ({n} persons, {START[:7]})", results))
    sys.stdout.flush()
    return results

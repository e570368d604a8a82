"""Auditing and pricing the records of a run, and the allowance payouts (SPEC 7.2, 5.2), set-based.

Every record gets the first failing rule of SPEC 7.2 from one SQL statement over the staged facts
(``engine.py``); the order-dependent rules (registered beds full, double care) are replayed in Python
for the few records they can concern. Bed-days are priced in SQL (min of charge, agreed price and
standard; the fund rounded once per line); visits and devices, whose limits fill in order, and the
allowances are priced by ``benefits.payment`` in Python. The lines are left in the temporary table
st_line, the per-record results in st_a/st_priced, for ``run.py`` to write.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from benefits import payment
from ltci.core.dates import days_in_month, month_end
from ltci.core.money import ZERO, fen

from .. import rules
from .engine import (
    MISSING_STANDARD_STEP,
    Segments,
    Standards,
    allowance_person_ids,
    drop_temp_tables,
    execute,
    fetch,
    month_of,
    raise_missing_standard,
    stage_forms,
    stage_institution_facts,
    stage_records,
    stage_segments,
    stage_standards,
    temp_table,
)

DUPLICATE_TEXT = "same institution, person, kind, date, component and start as an earlier record"
# Steps of the audit in SPEC 7.2 order: (step, code or None when the code comes from the data, detail SQL)
STEPS = [
    (1, rules.DUPLICATE, f"'{DUPLICATE_TEXT}'"),
    (2, rules.NOT_COVERED, "'no eligibility verdict for the day'"),
    (3, None, "x.v_detail"),  # the eligibility condition that failed (SPEC 5.1)
    (4, rules.NOT_COVERED, "'the day of death is not a bed-day (SPEC 5.2 dates)'"),
    (5, None, "''"),  # not the decision's form or institution: DOUBLE_CARE or NO_DECISION, resolved below
    (6, rules.FORM_NOT_AGREED, "'the institution has no agreement in force that day'"),
    (7, rules.FORM_NOT_AGREED, "'the agreement does not cover ' || x.form"),
    (MISSING_STANDARD_STEP, None, "''"),  # the payment standard is not entered: the run stops
    (9, rules.FORM_NOT_AGREED, "x.component || ' care is not paid in a ' || x.inst_type || ' institution'"),
    (10, rules.BED, "'not admitted to the institution that day (the discharge day is not a bed-day)'"),
    (11, rules.BED, "'the bed is not registered (床位未备案)'"),
    (12, rules.CAREGIVER, "'no caregiver named'"),
    (13, rules.CAREGIVER, "'caregiver not registered with the institution that day'"),
    (14, rules.CAREGIVER, "'overlaps an earlier visit of the same caregiver'"),
    (15, None, "'excluded by staff (SPEC 5.3)'"),  # the staff exclusion code (SPEC 5.3)
]
MISMATCH_STEP, EXCLUDED_STEP, BEDS_FULL_STEP, RESOLVED_STEP = 5, 15, 16, 17

AUDIT_SQL = """
CREATE TEMP TABLE st_a AS
SELECT x.id, x.institution_id, x.person_id, x.kind, x.day, x.component, x.charged, x.started_at,
       x.service_month, x.late, x.form, x.v_form, x.v_inst, x.cat, x.cap, x.ratio, x.step,
       CASE WHEN x.step IS NULL OR x.step >= %(mismatch)s THEN x.v_class END AS benefit_class,
       CASE x.step WHEN 3 THEN coalesce(x.reason_code, %(not_covered)s) WHEN 15 THEN x.excluded_code
                   {code_cases} END AS code,
       CASE x.step {detail_cases} ELSE '' END AS detail
FROM (
    SELECT r.id, r.institution_id, r.person_id, r.kind, r.service_date AS day, r.component,
           r.charged_amount AS charged, r.started_at, r.service_month, r.late, r.excluded_code,
           s.care_form AS v_form, s.institution_id AS v_inst, s.reason_code, s.detail AS v_detail,
           s.benefit_class AS v_class, s.cat, fm.form, i.type AS inst_type, t.ratio,
           least(coalesce(CASE r.component WHEN 'life' THEN g.price_life ELSE g.price_medical END, t.daily),
                 t.daily) AS cap,
           CASE
             WHEN r.dup THEN 1
             WHEN s.person_id IS NULL THEN 2
             WHEN NOT s.eligible THEN 3
             WHEN r.kind = 'bed_day' AND s.died_on = r.service_date THEN 4
             WHEN NOT fm.matches OR s.institution_id <> r.institution_id THEN 5
             WHEN g.institution_id IS NULL THEN 6
             WHEN NOT fm.form = ANY(g.covered_forms) THEN 7
             WHEN r.kind = 'bed_day' AND t.daily IS NULL THEN 8
             WHEN r.kind = 'bed_day' AND NOT coalesce(i.type = ANY(t.institution_types), false) THEN 9
             WHEN r.kind = 'bed_day' AND m.person_id IS NULL THEN 10
             WHEN r.kind = 'bed_day' AND NOT (m.bed_id IS NOT NULL AND m.registered_from <= r.service_date
                  AND (m.registered_to IS NULL OR r.service_date <= m.registered_to)) THEN 11
             WHEN r.kind = 'home_visit' AND r.caregiver_national_id = '' THEN 12
             WHEN r.kind = 'home_visit' AND e.institution_id IS NULL THEN 13
             WHEN r.kind = 'home_visit' AND o.id IS NOT NULL THEN 14
             WHEN r.excluded_code <> '' THEN 15
           END AS step
    FROM st_rec r
    LEFT JOIN st_seg s ON s.person_id = r.person_id AND r.service_date BETWEEN s.d_from AND s.d_to
    JOIN st_formmap fm ON fm.kind = r.kind AND fm.care_form = coalesce(s.care_form, '')
    JOIN institutions_institution i ON i.id = r.institution_id
    LEFT JOIN st_agr g ON g.institution_id = r.institution_id AND g.day = r.service_date
    LEFT JOIN st_std t ON r.kind = 'bed_day' AND t.benefit_class = s.benefit_class AND t.component = r.component
         AND t.day = r.service_date AND t.cat = s.cat
    LEFT JOIN st_adm m ON r.kind = 'bed_day' AND m.person_id = r.person_id AND m.institution_id = r.institution_id
         AND m.admitted_on <= r.service_date AND (m.discharged_on IS NULL OR r.service_date < m.discharged_on)
    LEFT JOIN st_emp e ON r.kind = 'home_visit' AND e.institution_id = r.institution_id
         AND e.national_id = r.caregiver_national_id AND e.employed_from <= r.service_date
         AND (e.employed_to IS NULL OR r.service_date <= e.employed_to)
    LEFT JOIN st_overlap o ON o.id = r.id
) x
"""


def _audit_sql() -> str:
    code_cases = " ".join(f"WHEN {step} THEN '{code}'" for step, code, _ in STEPS if code)
    detail_cases = " ".join(f"WHEN {step} THEN {sql}" for step, _, sql in STEPS)
    return AUDIT_SQL.format(code_cases=code_cases, detail_cases=detail_cases)


# The per-record result after pricing (base within the standard/limit, final code), shared by the lines
# and the record audits. Bed-days: base = min(charge, cap), the rest OVER_PRICE; visits/devices: st_priced.
FINAL_SQL = f"""
SELECT a.id, a.institution_id, a.person_id, a.form, a.service_month, a.late, a.day, a.charged, a.benefit_class,
       a.ratio, a.code IS NULL AS accepted,
       CASE WHEN a.code IS NOT NULL THEN 0 WHEN a.kind = 'bed_day' THEN least(a.charged, a.cap)
            ELSE p.base END AS base,
       CASE WHEN a.code IS NOT NULL THEN a.code
            WHEN a.kind = 'bed_day' AND a.charged > a.cap THEN '{rules.OVER_PRICE}'
            WHEN p.over THEN '{rules.OVER_LIMIT}' END AS code,
       a.detail
FROM st_a a LEFT JOIN st_priced p ON p.id = a.id
"""  # noqa: S608 (constants of the code, no input)

# One line per institution, person, form, service month and lateness, by a hash aggregate: the distinct
# days of a residential line, its reason codes and its benefit classes are bit sets (no sort of the records).
LINES_SQL = f"""
CREATE TEMP TABLE st_line AS
SELECT nextval(pg_get_serial_sequence('settlement_settlementline', 'id')) AS id, l.institution_id, l.person_id,
       l.form, l.service_month, l.late, l.quantity, l.charged, l.fund, l.charged - l.base_total AS rejected,
       l.base_total - l.fund AS personal, l.unknown,
       ARRAY(SELECT c FROM unnest(%(codes)s::text[]) WITH ORDINALITY u(c, n)
             WHERE l.code_bits & (1::bigint << (n::int - 1)) <> 0 ORDER BY n) AS codes,
       ARRAY(SELECT c FROM unnest(%(classes)s::text[]) WITH ORDINALITY u(c, n)
             WHERE l.class_bits & (1::bigint << (n::int - 1)) <> 0 ORDER BY n) AS classes
FROM (
    SELECT f.institution_id, f.person_id, f.form, f.service_month, f.late,
           CASE WHEN f.form = 'residential'
                THEN bit_count(bit_or(1 << (extract(day FROM f.day)::int - 1))::bit(32)) ELSE count(*) END AS quantity,
           sum(f.charged) AS charged, sum(f.base) AS base_total,
           CASE WHEN f.form = 'residential'
                THEN round(coalesce(sum(f.base * f.ratio) FILTER (WHERE f.accepted), 0), 2)
                ELSE coalesce(max(p.fund), 0) END AS fund,
           bit_or(1::bigint << (array_position(%(codes)s::text[], f.code) - 1)) AS code_bits,
           bit_or(1::bigint << (array_position(%(classes)s::text[], f.benefit_class) - 1)) AS class_bits,
           bool_or(f.code IS NOT NULL AND array_position(%(codes)s::text[], f.code) IS NULL
                   OR f.benefit_class IS NOT NULL AND array_position(%(classes)s::text[], f.benefit_class) IS NULL)
               AS unknown
    FROM ({FINAL_SQL}) f
    LEFT JOIN st_lprice p ON p.institution_id = f.institution_id AND p.person_id = f.person_id
         AND p.form = f.form AND p.service_month = f.service_month AND p.late = f.late
    GROUP BY f.institution_id, f.person_id, f.form, f.service_month, f.late
    ORDER BY f.institution_id, f.person_id, f.form COLLATE "C", f.late
) l
"""  # noqa: S608 (constants of the code, no input)
CODES = sorted(rules.REASON_TEXT)  # every code a record can get (sorted as Python sorts: the lines' order)


@dataclass
class LineResult:
    """A line priced in Python: allowances paid to persons (institution None)."""

    institution_id: int | None
    person_id: int
    care_form: str
    service_month: dt.date
    is_late: bool
    quantity: int = 0
    amounts: payment.Amounts = field(default_factory=payment.Amounts)
    details: dict = field(default_factory=dict)


@dataclass
class RunResult:
    month: dt.date
    record_count: int
    allowance_lines: list[LineResult]


def compute(month: dt.date, on_stage=None) -> RunResult:
    """Audit and price every record the month's run takes, plus the allowances.

    ``on_stage(name, done, total)`` is called as each stage starts (progress visible to staff). The
    institution lines stay in st_line (and their records in st_a) for ``run.py``.
    """
    count = 0

    def stage(name, done=0):
        if on_stage:
            on_stage(name, done, count)

    drop_temp_tables()
    stage("loading service records")
    scope = stage_records(month)
    count = scope.count
    stage("eligibility verdicts")
    segments = stage_segments(month, scope, allowance_person_ids(month))
    stage("institution facts")
    start = min(month, scope.first_day or month)
    std = Standards()
    stage_forms()
    stage_institution_facts(scope, start, month_end(month))
    stage_standards(scope, segments, std)
    stage("auditing records")
    audit_records(month, segments)
    stage("pricing lines", count)
    price_lines(month, segments, std)
    return RunResult(month=month, record_count=count, allowance_lines=allowance_lines(month, segments, std))


def audit_records(month: dt.date, segments: Segments) -> None:
    """Give each record its code (first failing rule) or accept it, in the order of SPEC 7.2."""
    execute(_audit_sql(), {"mismatch": MISMATCH_STEP, "not_covered": rules.NOT_COVERED})
    execute("ANALYZE st_a")
    raise_missing_standard()
    _fix(_beds_full())
    _fix(_double_care(month, segments))


def _fix(rows: list[tuple[int, str, str, int]]) -> None:
    if rows:
        temp_table("st_fix", "id int, code text, detail text, step int", rows)
        execute(
            "UPDATE st_a a SET code = f.code, detail = f.detail, step = f.step FROM st_fix f WHERE a.id = f.id"
        )


def _beds_full() -> list[tuple]:
    """Registered beds exceeded (BED): replayed in record order for the institution-days with more
    candidate bed-days than registered beds; a person keeps the bed once in it that day."""
    if not fetch("SELECT 1 FROM st_cap WHERE records > capacity LIMIT 1"):
        return []
    rows = fetch(
        """
        SELECT a.id, a.institution_id, a.day, a.person_id, a.step, c.capacity FROM st_a a
        JOIN st_cap c ON c.institution_id = a.institution_id AND c.day = a.day AND c.records > c.capacity
        WHERE a.kind = 'bed_day' AND (a.step IS NULL OR a.step = %(excluded)s)
        ORDER BY a.institution_id, a.day, a.id""",
        {"excluded": EXCLUDED_STEP},
    )
    fixes, beds, key = [], set(), None
    for pk, institution_id, day, person_id, step, capacity in rows:
        if (institution_id, day) != key:
            key, beds = (institution_id, day), set()
        if person_id not in beds and len(beds) >= capacity:
            fixes.append((pk, rules.BED, "registered beds exceeded that day", BEDS_FULL_STEP))
        elif step is None:
            beds.add(person_id)
    return fixes


def _double_care(month: dt.date, segments: Segments) -> list[tuple]:
    """A record not of the decision's form or institution: DOUBLE_CARE when something else is paid that
    day (an accepted record of another institution or form, an allowance of the run's month), else
    NO_DECISION."""
    mismatches = fetch(
        "SELECT id, person_id, day, kind, institution_id, v_form, v_inst FROM st_a WHERE step = %s",
        [MISMATCH_STEP],
    )
    if not mismatches:
        return []
    paid: dict[tuple[int, dt.date], set] = defaultdict(set)
    for (person_id, day), form in segments.allowance_days(month).items():
        paid[(person_id, day)].add((None, form))
    for person_id, day, institution_id, form in fetch(
        """
            SELECT a.person_id, a.day, a.institution_id, a.form FROM st_a a
            WHERE a.step IS NULL AND (a.person_id, a.day) IN (SELECT person_id, day FROM st_a WHERE step = %s)""",
        [MISMATCH_STEP],
    ):
        paid[(person_id, day)].add((institution_id, form))
    fixes = []
    for pk, person_id, day, kind, institution_id, v_form, v_inst in mismatches:
        if kind != "device" and rules.is_double_care(kind, institution_id, paid[(person_id, day)]):
            fixes.append(
                (
                    pk,
                    rules.DOUBLE_CARE,
                    "another institution or care form is paid for this day",
                    RESOLVED_STEP,
                )
            )
        else:
            fixes.append(
                (pk, rules.NO_DECISION, f"active decision: {v_form} at institution {v_inst}", RESOLVED_STEP)
            )
    return fixes


# ---------------------------------------------------------------------------------------------------------
# Pricing


def price_lines(month: dt.date, segments: Segments, std: Standards) -> None:
    """Price visits and devices in order against their limits (Python), then build every institution
    line in SQL (bed-days priced there); lines are left in st_line."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in fetch(
        "SELECT id, institution_id, person_id, form, service_month, late, charged, started_at, day, "
        "benefit_class FROM st_a WHERE code IS NULL AND kind <> 'bed_day'"
    ):
        groups[row[1:6]].append(row)
    priced, line_fund = [], []
    for (institution_id, person_id, form, first, late), recs in groups.items():
        if form == "device":
            used = _used(month, person_id, None, form, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31))
            part, ordered = _price_devices(recs, std, used)
        else:
            used = _used(month, person_id, institution_id, form, first, first) if late else ZERO
            part, ordered = _price_visits(recs, segments, std, person_id, institution_id, form, first, used)
        for r, (base, over) in zip(ordered, part.items, strict=True):
            priced.append((r[0], base, bool(over)))
        line_fund.append((institution_id, person_id, form, first, late, part.fund))
    temp_table("st_priced", "id int, base numeric, over bool", priced)
    temp_table(
        "st_lprice",
        "institution_id int, person_id int, form text, service_month date, late bool, fund numeric",
        line_fund,
    )
    classes = sorted(
        {
            v.benefit_class
            for months in segments.by_month.values()
            for items in months.values()
            for _, _, v in items
            if v.benefit_class
        }
    )
    execute(LINES_SQL, {"codes": CODES, "classes": classes})
    if fetch("SELECT 1 FROM st_line WHERE unknown LIMIT 1"):
        raise ValueError(
            "a record has a reason code or benefit class the run does not know: "
            f"known codes {CODES}, classes {classes}"
        )
    execute("ANALYZE st_line")


def _used(month, person_id, institution_id, form, first, last) -> Decimal:
    """Base already paid against a limit by the latest runs of other months (late lines, devices' year)."""
    from django.db.models import F, Sum

    from ..models import SettlementLine
    from ..selectors import latest_runs

    runs = [run.pk for run_month, run in latest_runs().items() if run_month != month]
    qs = SettlementLine.objects.filter(
        run_id__in=runs,
        person_id=person_id,
        care_form=form,
        service_month__range=(first, last),
        is_adjustment=False,
    )
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.aggregate(s=Sum(F("charged_amount") - F("rejected_amount")))["s"] or ZERO


def _price_visits(recs, segments, std, person_id, institution_id, form, first, used=ZERO):
    """Visits in chronological order fill the month's limit, prorated by eligible days per class."""
    ordered = sorted(recs, key=lambda r: (r[7] or dt.datetime.combine(r[8], dt.time(0)).astimezone(), r[0]))
    dim = days_in_month(first)
    limit_sum = ZERO
    standard = None
    for benefit_class, n in segments.eligible_days(person_id, form, institution_id, first).items():
        standard = std.get(form, benefit_class, "", first)
        field_name = "visits_monthly_limit" if form == "home_family" else "monthly_limit"
        limit_sum += standard.amount(field_name) * n
    if standard is None:  # accepted records imply eligible days; keep the guard explicit
        standard = std.get(form, ordered[0][9], "", first)
    limit = max(fen(limit_sum / dim) - used, ZERO)
    charges = [r[6] for r in ordered]
    if form == "home_package_copay":
        part = payment.package_with_copay(
            charges, limit=limit, copay_per_visit=standard.amount("copay_per_visit")
        )
    else:
        part = payment.within_limit(charges, limit=limit, fund_ratio=standard.amount("fund_ratio"))
    return part, ordered


def _price_devices(recs, std, used=ZERO):
    ordered = sorted(recs, key=lambda r: (r[8], r[0]))
    standard = std.get("device", ordered[0][9], "", ordered[0][8])
    part = payment.devices(
        [r[6] for r in ordered],
        yearly_limit=standard.amount("yearly_limit"),
        used_this_year=used,
        fund_ratio=standard.amount("fund_ratio"),
    )
    return part, ordered


def allowance_lines(month: dt.date, segments: Segments, std: Standards) -> list[LineResult]:
    """Payouts to persons: each eligible day of an allowance form (the death day is payable)."""
    end = month_end(month)
    groups: dict[tuple, int] = defaultdict(int)
    for person_id, items in segments.by_month.get(month, {}).items():
        for a, b, v in items:
            if v.eligible and v.care_form in rules.ALLOWANCE_FORMS:
                days = (min(b, end) - max(a, month)).days + 1
                groups[(person_id, v.care_form, v.benefit_class, v.carer_trained)] += days
    per_line: dict[tuple, LineResult] = {}
    for (person_id, form, benefit_class, trained), n in sorted(groups.items(), key=lambda kv: str(kv[0])):
        standard = std.get(form, benefit_class, "", month)
        if form == "home_family":
            part = payment.family_allowance(
                daily=standard.amount("daily_allowance"),
                eligible_days=n,
                carer_trained=trained,
                untrained_ratio=standard.amount("untrained_ratio"),
            )
        else:
            part = payment.allowance(daily=standard.amount("daily"), eligible_days=n)
        line = per_line.setdefault((person_id, form), LineResult(None, person_id, form, month, False))
        line.quantity += n
        line.amounts = line.amounts + part
        line.details["classes"] = sorted(set(line.details.get("classes", [])) | ({benefit_class} - {None}))
        line.details.setdefault("parts", []).append(
            {"class": benefit_class, "days": n, "carer_trained": trained, "amount": str(part.fund)}
        )
    return sorted(per_line.values(), key=lambda line: (line.person_id, line.care_form))


__all__ = ["compute", "audit_records", "price_lines", "allowance_lines", "month_of"]

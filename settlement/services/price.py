"""Stage 3 of the monthly run (SPEC 7.2, 5.2): price the audited records into lines, and the allowances.

Bed-days are priced in SQL (the base is the charge up to the agreed price and the standard; the fund is
the base times the ratio, rounded once per line); visits and devices, whose limits fill in order, are priced
by ``benefits.payment`` in Python (run_priced_records per record, run_line_funds per line); one statement
then builds every institution line (run_lines) from the per-record results (``RESULT_SQL``). Allowances paid
to persons have no records: they are priced from the eligibility segments and returned as ``LineResult``.
Nothing is written to the settlement tables; ``write.py`` stores run_lines and the allowance lines.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from benefits import payment
from ltci.core.dates import days_in_month, month_end
from ltci.core.money import ZERO
from ltci.core.sql import execute, fetch, temp_table

from .. import rules
from ..models import SettlementLine
from .stage import Segments, Standards

TEMP_TABLES = ("run_priced_records", "run_line_funds", "run_lines")
LINE = SettlementLine._meta.db_table

# The per-record result after pricing (base within the standard/limit, final code), shared by the lines
# and the record audits. Bed-days: base = min(charge, cap), the rest OVER_PRICE; visits and devices:
# run_priced_records.
RESULT_SQL = f"""
SELECT a.id, a.institution_id, a.person_id, a.form, a.service_month, a.late, a.day, a.charged, a.benefit_class,
       a.ratio, a.code IS NULL AS accepted,
       CASE WHEN a.code IS NOT NULL THEN 0 WHEN a.kind = 'bed_day' THEN least(a.charged, a.cap)
            ELSE p.base END AS base,
       CASE WHEN a.code IS NOT NULL THEN a.code
            WHEN a.kind = 'bed_day' AND a.charged > a.cap THEN '{rules.OVER_PRICE}'
            WHEN p.over THEN '{rules.OVER_LIMIT}' END AS code,
       a.detail
FROM run_audited a LEFT JOIN run_priced_records p ON p.id = a.id
"""  # noqa: S608 (constants of the code, no input)

# One line per institution, person, form, service month and lateness, by a hash aggregate: the distinct
# days of a residential line, its reason codes and its benefit classes are bit sets (no sort of the records).
LINES_SQL = f"""
CREATE TEMP TABLE run_lines AS
SELECT nextval(pg_get_serial_sequence('{LINE}', 'id')) AS id, l.institution_id, l.person_id,
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
    FROM ({RESULT_SQL}) f
    LEFT JOIN run_line_funds p ON p.institution_id = f.institution_id AND p.person_id = f.person_id
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


def price_lines(month: dt.date, segments: Segments, std: Standards) -> None:
    """Price visits and devices in order against their limits (Python), then build every institution
    line in SQL (bed-days priced there); lines are left in run_lines."""
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for row in fetch(
        "SELECT id, institution_id, person_id, form, service_month, late, charged, started_at, day, "
        "benefit_class FROM run_audited WHERE code IS NULL AND kind <> 'bed_day'"
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
    temp_table("run_priced_records", "id int, base numeric, over bool", priced)
    temp_table(
        "run_line_funds",
        "institution_id int, person_id int, form text, service_month date, late bool, fund numeric",
        line_fund,
    )
    classes = sorted(segments.benefit_classes())
    execute(LINES_SQL, {"codes": CODES, "classes": classes})
    if fetch("SELECT 1 FROM run_lines WHERE unknown LIMIT 1"):
        raise ValueError(
            "a record has a reason code or benefit class the run does not know: "
            f"known codes {CODES}, classes {classes}"
        )
    execute("ANALYZE run_lines")


def _used(month, person_id, institution_id, form, first, last) -> Decimal:
    """Base already paid against a limit by the latest runs of other months (late lines, devices' year)."""
    from django.db.models import F, Sum

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
    field_name = "visits_monthly_limit" if form == "home_family" else "monthly_limit"
    parts = []
    standard = None
    for benefit_class, n in segments.eligible_days(person_id, form, institution_id, first).items():
        standard = std.get(form, benefit_class, "", first)
        parts.append((standard.amount(field_name), n))
    if standard is None:  # accepted records imply eligible days; keep the guard explicit
        standard = std.get(form, ordered[0][9], "", first)
    limit = max(payment.prorated_limits(parts, days_in_month=dim) - used, ZERO)
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
            if rules.allowance_refusal(v) is None:
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

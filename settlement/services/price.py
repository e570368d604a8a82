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
            WHEN p.over THEN p.code END AS code,
       a.detail
FROM run_audited a LEFT JOIN run_priced_records p ON p.id = a.id
"""  # noqa: S608 (constants of the code, no input)

# One line per institution, person, form, service month and lateness, by a hash aggregate: the distinct
# days of a residential line, its reason codes and its benefit classes are bit sets (no sort of the records).
LINES_SQL = f"""
CREATE TEMP TABLE run_lines AS
SELECT nextval(pg_get_serial_sequence('{LINE}', 'id')) AS id, l.institution_id, l.person_id,
       l.form, l.service_month, l.late, l.quantity, l.charged, l.fund, l.charged - l.base_total AS rejected,
       l.base_total - l.fund AS personal, l.charity, l.unknown,
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
           coalesce(max(p.charity), 0) AS charity,
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
    budgets = PreventionBudgets(month)
    for (institution_id, person_id, form, first, late), recs in sorted(
        groups.items(), key=lambda kv: str(kv[0])
    ):
        charity = ZERO
        if form == "device":
            used = _used(month, person_id, None, form, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31))
            part, ordered = _price_devices(recs, std, used)
            standard = std.get("device", ordered[0][9], "", ordered[0][8])
            charity = payment.charity_share(part, charity_ratio=standard.amount("charity_ratio"))
        else:
            used = _used(month, person_id, institution_id, form, first, first) if late else ZERO
            part, ordered = _price_visits(recs, segments, std, person_id, institution_id, form, first, used)
            if form == "prevention" and part.fund > budgets.room(
                first
            ):  # the year's budget is never exceeded
                cap = payment.fund_cap_base(
                    budgets.room(first), std.get(form, ordered[0][9], "", first).amount("fund_ratio")
                )
                part, ordered = _price_visits(
                    recs, segments, std, person_id, institution_id, form, first, used, cap
                )
            if form == "prevention":
                budgets.spend(first, part.fund)
        code = rules.OVER_PRICE if form == "community" else rules.OVER_LIMIT
        for r, (base, over) in zip(ordered, part.items, strict=True):
            priced.append((r[0], base, bool(over), code))
        line_fund.append((institution_id, person_id, form, first, late, part.fund, charity))
    temp_table("run_priced_records", "id int, base numeric, over bool, code text", priced)
    temp_table(
        "run_line_funds",
        "institution_id int, person_id int, form text, service_month date, late bool, fund numeric, charity numeric",
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


class PreventionBudgets:
    """Jinjiang's yearly prevention budget (seed 003 (五) 根据年度资金可用额度): what is left of each service
    year's budget after the latest runs of the year's other months and the lines priced so far."""

    def __init__(self, month: dt.date):
        self.month = month
        self._room: dict[int, Decimal] = {}

    def room(self, first: dt.date) -> Decimal:
        if first.year not in self._room:
            from django.db.models import Sum

            from ltci.core.policy import policy_in_force

            from ..selectors import latest_runs

            budget = policy_in_force("prevention_budget", on=first)["yearly"]
            runs = [run.pk for m, run in latest_runs().items() if m != self.month]
            spent = SettlementLine.objects.filter(
                run_id__in=runs, care_form="prevention", service_month__year=first.year
            ).aggregate(s=Sum("fund_amount"))["s"]
            self._room[first.year] = budget - (spent or ZERO)
        return self._room[first.year]

    def spend(self, first: dt.date, amount: Decimal) -> None:
        self._room[first.year] = self.room(first) - amount


def _price_visits(recs, segments, std, person_id, institution_id, form, first, used=ZERO, cap=None):
    """Visits in chronological order fill the month's limit, prorated by eligible days per class (at most
    ``cap``, the base a budget leaves); community care is priced per day by its own standard."""
    ordered = sorted(recs, key=lambda r: (r[7] or dt.datetime.combine(r[8], dt.time(0)).astimezone(), r[0]))
    if form == "community":
        standard = std.get(form, ordered[0][9], "", first)
        part = payment.per_day(
            [r[6] for r in ordered],
            [r[8] for r in ordered],
            daily=standard.amount("daily"),
            fund_ratio=standard.amount("fund_ratio"),
        )
        return part, ordered
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
    if cap is not None:
        limit = min(limit, cap)
    charges = [r[6] for r in ordered]
    if form == "home_package_copay":
        part = payment.package_with_copay(
            charges,
            limit=limit,
            copay_per_visit=standard.amount("copay_per_visit"),
            counted=payment.within_weekly_count(
                [r[8] for r in ordered], per_week=standard.amount("visits_per_week")
            ),
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


def allowance_lines(
    month: dt.date, segments: Segments, std: Standards, persons: list[int] | None = None
) -> list[LineResult]:
    """Payouts to persons: each eligible day of an allowance form (the death day is payable); of ``persons``
    only, when given (the segments are theirs already)."""
    end = month_end(month)
    groups: dict[tuple, int] = defaultdict(int)
    for person_id, items in segments.by_month.get(month, {}).items():
        for a, b, v in items:
            for form in rules.allowance_forms(v):
                days = (min(b, end) - max(a, month)).days + 1
                groups[(person_id, form, v.benefit_class, v.carer_trained)] += days
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
    for line in _unpaid_allowance_lines(month, segments, {person for person, _ in per_line}):
        per_line[(line.person_id, line.care_form)] = line
    for line in _relief_lines(month, persons):
        per_line[(line.person_id, line.care_form)] = line
    return sorted(per_line.values(), key=lambda line: (line.person_id, line.care_form))


def _relief_lines(month: dt.date, persons: list[int] | None = None) -> list[LineResult]:
    """Relief decided case by case (一事一议, seed 003 (六)) paid to the person in its month: one line per
    person, charged = fund = the approved amounts, the approvals in the details."""
    from benefits.models import ReliefGrant

    lines: dict[int, LineResult] = {}
    grants = ReliefGrant.objects.filter(month=month)
    if persons is not None:
        grants = grants.filter(person_id__in=persons)
    for grant in grants.order_by("person_id", "id"):
        line = lines.setdefault(grant.person_id, LineResult(None, grant.person_id, "relief", month, False))
        line.quantity += 1
        line.amounts = line.amounts + payment.Amounts(charged=grant.amount, fund=grant.amount)
        line.details.setdefault("grants", []).append(
            {"id": grant.pk, "approval_no": grant.approval_no, "amount": str(grant.amount)}
        )
    return list(lines.values())


def _unpaid_allowance_lines(month: dt.date, segments: Segments, paid: set[int]) -> list[LineResult]:
    """A zero-fund line for a person whose allowance decision pays no day of the month (waiting period,
    arrears, hospital...), with the reason codes of the unpaid days in SPEC 5.1 order, so staff and the
    person see why nothing is paid (issue 18)."""
    end = month_end(month)
    unpaid: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for person_id, items in segments.by_month.get(month, {}).items():
        if person_id in paid:
            continue
        for a, b, v in items:
            forms = rules.allowance_forms_held(v)
            if v.eligible or not forms or v.reason_code is None:
                continue
            days = (min(b, end) - max(a, month)).days + 1
            for form in forms:
                by_code = unpaid[(person_id, form)]
                by_code[v.reason_code] = by_code.get(v.reason_code, 0) + days
    lines = []
    for (person_id, form), by_code in unpaid.items():
        codes = tuple(c for c in rules.REASON_ORDER if c in by_code)
        lines.append(
            LineResult(
                None,
                person_id,
                form,
                month,
                False,
                amounts=payment.Amounts(codes=codes),
                details={"unpaid_days": {c: by_code[c] for c in codes}},
            )
        )
    return lines

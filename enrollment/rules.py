"""Pure contribution rules (SPEC 3.2-3.4): standards, subsidies, status, waiting period and arrears.

No ORM and no I/O: the selectors gather the facts and the policy values and pass them in.
"""

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from ltci.core.dates import add_months, month_end
from ltci.core.money import fen
from ltci.core.policy import PolicyNotEntered, PolicyValue

ONE_DAY = dt.timedelta(days=1)
NOT_COVERED, ARREARS, WAITING = "NOT_COVERED", "ARREARS", "WAITING"
PRIORITY = {NOT_COVERED: 0, ARREARS: 1, WAITING: 2}


# --- standards (SPEC 3.2) -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Amounts:
    total: Decimal
    individual: Decimal
    pooled_fund: Decimal
    fiscal: Decimal
    employer: Decimal
    collective: bool = False
    # seed 004: (individual_rate, employer_rate) on each person's wage base (base_from: wage_base); the
    # amounts above are then 0 and `wage_amounts` gives a person's; `months` of a partial year (12: full)
    rates: tuple[Decimal, Decimal] | None = None
    months: int = 12


def standard_amounts(value: PolicyValue | None, *, name: str) -> Amounts:
    """Return the per-person amounts of a contribution standard (fixed form or base x rate form).

    ``value`` is the validated policy value (ltci.core.policy.PolicyValue, or None for a standard left for
    staff): the schema guarantees the fields and that a fixed standard's parts add up to its total.
    Raise PolicyNotEntered naming the standard when it or one of its numbers is left for staff.
    """
    if value is None:
        raise PolicyNotEntered(
            f"contribution standard {name} has not been entered yet: staff must enter it in "
            "the admin (政策参数) before the contribution run"
        )
    form = value["form"]
    per_person = form == "rate" and value["base_from"] == "wage_base"
    needed = (
        ("individual_rate", "employer_rate")
        if per_person
        else ("base", "individual_rate", "employer_rate")
        if form == "rate"
        else ("total", "individual")
    )
    missing = [k for k in needed if not value.entered(k)]
    if missing:
        raise PolicyNotEntered(
            f"contribution standard {name} ({form} form) has no value for "
            f"{', '.join(missing)}: staff must enter it in the admin (政策参数)"
        )
    if per_person:
        zero = Decimal("0.00")
        return Amounts(zero, zero, zero, zero, zero, rates=(value["individual_rate"], value["employer_rate"]))
    if form == "rate":
        base = value["base"]
        individual = fen(base * value["individual_rate"])
        employer = fen(base * value["employer_rate"])
        return Amounts(individual + employer, individual, Decimal("0.00"), Decimal("0.00"), employer)
    parts = {k: fen(value[k]) for k in ("total", "individual", "pooled_fund", "fiscal", "employer")}
    return Amounts(
        parts["total"],
        parts["individual"],
        parts["pooled_fund"],
        parts["fiscal"],
        parts["employer"],
        value["collective"],
    )


def wage_amounts(amounts: Amounts, wage_base: Decimal) -> Amounts:
    """A person's parts of a wage-base standard (seed 004 五: "单位缴费基数为职工工资总额……个人缴费基数为本人
    工资收入"): base x rate each, to the fen half-up, then month-prorated like a fixed standard. The SQL of the
    yearly run (services.run WAGE_PART) computes the same."""
    assert amounts.rates is not None
    individual, employer = (fen(wage_base * rate) for rate in amounts.rates)
    full = Amounts(individual + employer, individual, Decimal("0.00"), Decimal("0.00"), employer)
    return full if amounts.months == 12 else prorated(full, amounts.months)


def covered_months(first: dt.date, last: dt.date) -> int:
    """Calendar months of a year touched by [first, last] (a month begun counts whole)."""
    return last.month - first.month + 1


def prorated(amounts: Amounts, months: int) -> Amounts:
    """A yearly standard for ``months`` covered months: each part month-prorated to the fen (half-up), the
    total the sum of the parts (a wage-base standard keeps the months for `wage_amounts`)."""
    if amounts.rates is not None:
        return replace(amounts, months=months)
    individual, pooled_fund, fiscal, employer = (
        fen(x * months / 12)
        for x in (amounts.individual, amounts.pooled_fund, amounts.fiscal, amounts.employer)
    )
    known = amounts.individual + amounts.pooled_fund + amounts.fiscal + amounts.employer
    other = fen((amounts.total - known) * months / 12)
    return Amounts(
        individual + pooled_fund + fiscal + employer + other,
        individual,
        pooled_fund,
        fiscal,
        employer,
        amounts.collective,
    )


def subsidy_category(
    *,
    categories: Collection[str],
    insurance_type: str,
    age: int,
    subsidised: list[str],
    resident_age_min: int | None,
) -> str:
    """Return the category that makes the fiscal source pay the individual part, or "" (SPEC 3.2)."""
    for code in subsidised:
        if code in categories:
            return code
    if resident_age_min is not None and insurance_type == "resident" and age >= resident_age_min:
        return f"resident_age_{resident_age_min}"
    return ""


def due_by(*, year: int, deadline: str, coverage_start: dt.date) -> dt.date:
    """Collection deadline; a person enrolled during the year pays within the enrolment month (SPEC 3.3)."""
    month, day = (int(x) for x in deadline.split("-"))
    standard = dt.date(year, month, day)
    if coverage_start > dt.date(year, 1, 1):
        return max(standard, month_end(coverage_start.replace(day=1)))
    return standard


def recovery_threshold(*, due_by: dt.date, booked_on: dt.date | None) -> dt.date:
    """Credits dated after this day recover a short employee contribution (SPEC 3.3: 从下期账户划入额中抵扣).

    The next credits after the yearly transfer (its balance is dated on or before the booking date, so a
    later credit is new money); a catch-up run booked after the deadline still recovers from any credit
    after the deadline.
    """
    return min(due_by, booked_on) if booked_on else due_by


def payment_status(
    *, individual_amount: Decimal, individual_paid: Decimal, due: dt.date, today: dt.date
) -> str:
    """The status of a contribution that is not waived (SPEC 3.4): paid in full, else arrears after the
    due day, else partly paid or due. ``PAYMENT_STATUS_SQL`` is the same rule for the set-based jobs."""
    if individual_paid >= individual_amount:
        return "paid"
    if today > due:
        return "arrears"
    return "partly_paid" if individual_paid > 0 else "due"


# payment_status as an SQL expression over enrollment_contribution's columns and the day %(on)s, for the
# yearly run and the daily arrears job; tests/enrollment/test_payment_status_sql.py holds the two to the
# same answer on random inputs.
PAYMENT_STATUS_SQL = """CASE WHEN individual_paid >= individual_amount THEN 'paid'
                  WHEN %(on)s::date > due_by THEN 'arrears'
                  WHEN individual_paid > 0 THEN 'partly_paid' ELSE 'due' END"""


# --- eligibility conditions (SPEC 3.4, 5.1 items 1-2) --------------------------------------------------
@dataclass(frozen=True)
class Condition:
    code: str  # "covered" | "contribution_paid" | "waiting_period"
    passed: bool
    reason_code: str | None  # when failed: "NOT_COVERED" | "ARREARS" | "WAITING"
    detail: str
    record: str = ""


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date | None
    start_reason: str
    end_reason: str
    record: str


@dataclass(frozen=True)
class YearPaid:
    year: int
    status: str
    due_by: dt.date
    fully_paid_on: dt.date | None
    record: str

    @property
    def full_on(self) -> dt.date | None:
        """The day the year was paid in full (paid or waived), None while it is not."""
        return self.fully_paid_on if self.status in ("paid", "waived") else None

    @property
    def on_time(self) -> bool:
        paid = self.full_on
        return paid is not None and (self.status == "waived" or paid <= self.due_by)


@dataclass(frozen=True)
class Facts:
    died_on: dt.date | None
    spans: tuple[Span, ...]
    years: dict[int, YearPaid]
    first_system_year: int | None
    waiting_months: Callable[[dt.date], int]
    deadline: Callable[[int], dt.date | None]  # the collection deadline of a year (grace without a record)
    exemptions: tuple[
        tuple[dt.date, dt.date | None, dt.date], ...
    ] = ()  # (valid_from, valid_to, enrolled_before): first applications in [valid_from, valid_to]
    first_applied_on: dt.date | None = None  # the person's first application for benefits


Interval = tuple[dt.date, dt.date, str, str, str]  # from, to (inclusive), reason, detail, record


def covered_intervals(facts: Facts) -> list[tuple[dt.date, dt.date, Span]]:
    out = []
    for s in facts.spans:
        end = s.end or dt.date.max
        if facts.died_on and facts.died_on < end:
            end = facts.died_on
        if end >= s.start:
            out.append((s.start, end, s))
    return out


def _span_detail(s: Span) -> str:
    from .models import CoveragePeriod  # the labels of the start reasons (choices only, no query)

    reason = str(dict(CoveragePeriod.StartReason.choices).get(s.start_reason, s.start_reason))
    if s.end is None:
        return _("参保期间 %(start)s 起（%(reason)s）") % {"start": s.start.isoformat(), "reason": reason}
    return _("参保期间 %(start)s 至 %(end)s（%(reason)s）") % {
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "reason": reason,
    }


def _covered_years(facts: Facts) -> list[int]:
    limit = max(facts.years, default=facts.first_system_year or 0)
    years: set[int] = set()
    for start, end, _span in covered_intervals(facts):
        years.update(range(start.year, min(end.year, limit) + 1))
    return sorted(years)


def arrears_intervals(facts: Facts, start: dt.date, end: dt.date) -> list[Interval]:
    out: list[Interval] = []
    for year in range(start.year, end.year + 1):
        jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
        record = facts.years.get(year)
        prev = facts.years.get(year - 1)
        grace_ok = prev.on_time if prev is not None else _insured_before_system(facts, year)
        deadline = record.due_by if record else facts.deadline(year)
        first_unpaid = jan1
        if grace_ok and deadline:
            first_unpaid = deadline + ONE_DAY
        if record is None:
            out.append((first_unpaid, dec31, ARREARS, _("%(year)s 年度无缴费记录") % {"year": year}, ""))
        elif record.status == "waived":
            continue
        elif (paid := record.full_on) is not None:
            if paid > first_unpaid:
                out.append(
                    (
                        first_unpaid,
                        min(paid - ONE_DAY, dec31),
                        ARREARS,
                        _("%(year)s 年度缴费至 %(paid)s 才缴足") % {"year": year, "paid": paid.isoformat()},
                        record.record,
                    )
                )
        else:
            out.append(
                (
                    first_unpaid,
                    dec31,
                    ARREARS,
                    _("%(year)s 年度缴费未缴足（%(status)s）")
                    % {"year": year, "status": _status_label(record.status)},
                    record.record,
                )
            )
    return [i for i in out if i[0] <= i[1]]


def _status_label(status: str) -> str:
    from .models import Contribution  # the labels of the payment statuses (choices only, no query)

    return str(dict(Contribution.Status.choices).get(status, status))


def _insured_before_system(facts: Facts, year: int) -> bool:
    """The first system year of a person covered before it: the year before counts as paid on time (they
    were insured before the system took over, SPEC 3.4), so the deadline's grace applies."""
    first = facts.first_system_year
    return year == first and any(s < dt.date(first, 1, 1) for s, _, _ in covered_intervals(facts))


def waiting_intervals(facts: Facts) -> list[Interval]:
    """Waiting periods: after the first full payment of a newly insured person and after every year not
    paid on time and in full, until add_months(full payment date + 1 day, months)."""
    spans = covered_intervals(facts)
    if not spans:
        return []
    first_start = min(s for s, _, _ in spans)
    newly = facts.first_system_year is None or first_start >= dt.date(facts.first_system_year, 1, 1)
    needs = newly
    out: list[Interval] = []
    for year in _covered_years(facts):
        if facts.first_system_year and year < facts.first_system_year:
            continue
        record = facts.years.get(year)
        paid = record.full_on if record is not None else None
        if record is None or paid is None:
            if record is not None or facts.first_system_year and year >= facts.first_system_year:
                needs = True
            continue
        if not (needs or not record.on_time):
            continue
        needs = False
        months = facts.waiting_months(paid)
        if not months:  # the scheme has no waiting period (seed 003)
            continue
        payable = add_months(paid + ONE_DAY, months)
        out.append(
            (
                paid,
                payable - ONE_DAY,
                WAITING,
                _("等待期至 %(end)s，%(payable)s 起可享受待遇（%(paid)s 缴足）")
                % {
                    "end": (payable - ONE_DAY).isoformat(),
                    "payable": payable.isoformat(),
                    "paid": paid.isoformat(),
                },
                record.record,
            )
        )
    exempt = _exemption(facts, first_start)
    if exempt is None:
        return out
    return [i for i in out if i[0] > (exempt[1] or dt.date.max)]


def _exemption(facts: Facts, first_start: dt.date) -> tuple[dt.date, dt.date | None, dt.date] | None:
    """The waiting-period exemption the person has, or None (seed 001 五(一): insured before
    ``enrolled_before`` and the *first application* for benefits dated within the exemption's validity).

    An exempt person has no waiting period from the payments made up to the end of the window; a later
    year not paid on time and in full starts a waiting period again (以后年度未按时足额缴费人员,视为新参保人员).
    """
    applied = facts.first_applied_on
    if applied is None:
        return None
    for vf, vt, before in facts.exemptions:
        if first_start < before and vf <= applied <= (vt or dt.date.max):
            return vf, vt, before
    return None


def not_covered_intervals(facts: Facts, start: dt.date, end: dt.date) -> list[Interval]:
    out: list[Interval] = []
    cursor = start
    for s, e, _span in sorted(covered_intervals(facts), key=lambda x: x[0]):
        if e < cursor:
            continue
        if s > cursor:
            out.append((cursor, min(s - ONE_DAY, end), NOT_COVERED, _("无参保期间"), ""))
        cursor = e + ONE_DAY if e < dt.date.max else dt.date.max
        if cursor > end:
            break
    if cursor <= end:
        detail = (
            _("%(day)s 死亡") % {"day": facts.died_on.isoformat()}
            if facts.died_on and facts.died_on < cursor
            else _("无参保期间")
        )
        out.append((cursor, end, NOT_COVERED, detail, ""))
    return [i for i in out if i[0] <= i[1] and i[1] >= start and i[0] <= end]


def blocks(facts: Facts, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date, str, str]]:
    """Non-payable intervals within [start, end], by priority NOT_COVERED > ARREARS > WAITING."""
    intervals = (
        not_covered_intervals(facts, start, end)
        + arrears_intervals(facts, start, end)
        + waiting_intervals(facts)
    )
    intervals = [
        (max(a, start), min(b, end), r, d, rec) for a, b, r, d, rec in intervals if b >= start and a <= end
    ]
    if not intervals:
        return []
    points = sorted({a for a, *_ in intervals} | {b + ONE_DAY for _, b, *_ in intervals})
    out: list[tuple[dt.date, dt.date, str, str]] = []
    for lo, hi in zip(points, points[1:], strict=False):
        best = None
        for a, b, r, d, _record in intervals:
            if a <= lo and b >= lo and (best is None or PRIORITY[r] < PRIORITY[best[0]]):
                best = (r, d)
        if best is None:
            continue
        to = hi - ONE_DAY
        if out and out[-1][1] + ONE_DAY == lo and out[-1][2:] == best:
            out[-1] = (out[-1][0], to, *best)
        else:
            out.append((lo, to, *best))
    return out


def conditions(facts: Facts, on: dt.date) -> list[Condition]:
    """The three contribution conditions for a date, each with the record that decided it."""
    result = []
    span = next((sp for s, e, sp in covered_intervals(facts) if s <= on <= e), None)
    if span:
        result.append(Condition("covered", True, None, _span_detail(span), span.record))
    else:
        died_on = facts.died_on
        result.append(
            Condition(
                "covered",
                False,
                NOT_COVERED,
                _("%(day)s 死亡") % {"day": died_on.isoformat()}
                if died_on and died_on < on
                else _("%(day)s 无参保期间") % {"day": on.isoformat()},
                "",
            )
        )
    arrears = [i for i in arrears_intervals(facts, on, on) if i[0] <= on <= i[1]]
    record = facts.years.get(on.year)
    if arrears:
        a = arrears[0]
        result.append(Condition("contribution_paid", False, ARREARS, a[3], a[4]))
    elif record is None:
        result.append(
            Condition(
                "contribution_paid",
                True,
                None,
                _("%(year)s 年度缴费尚未到期（缴费期限前可享受）") % {"year": on.year},
                "",
            )
        )
    elif record.status == "waived":
        result.append(
            Condition(
                "contribution_paid",
                True,
                None,
                _("%(year)s 年度个人缴费由财政全额补助") % {"year": on.year},
                record.record,
            )
        )
    elif (paid := record.full_on) is not None:
        result.append(
            Condition(
                "contribution_paid",
                True,
                None,
                _("%(year)s 年度缴费于 %(paid)s 缴足") % {"year": on.year, "paid": paid.isoformat()},
                record.record,
            )
        )
    else:
        result.append(
            Condition(
                "contribution_paid",
                True,
                None,
                _("%(year)s 年度缴费期限 %(due)s（上年度按时缴费，期限内可享受）")
                % {"year": on.year, "due": record.due_by.isoformat()},
                record.record,
            )
        )
    waits = [w for w in waiting_intervals(facts) if w[0] <= on <= w[1]]
    if waits:
        w = waits[0]
        result.append(Condition("waiting_period", False, WAITING, w[3], w[4]))
    else:
        past = [w for w in waiting_intervals(facts) if w[1] < on]
        if past:
            w = past[-1]
            detail = _("等待期已于 %(end)s 结束") % {"end": w[1].isoformat()}
            result.append(Condition("waiting_period", True, None, detail, w[4]))
        else:
            result.append(Condition("waiting_period", True, None, _no_waiting_detail(facts, on), ""))
    return result


def _no_waiting_detail(facts: Facts, on: dt.date) -> str:
    spans = covered_intervals(facts)
    first = min((s for s, _, _ in spans), default=None)
    exempt = _exemption(facts, first) if first else None
    if exempt is not None and facts.first_applied_on is not None:
        return _("无等待期：%(before)s 前参保，首次申请于 %(applied)s，免等待期") % {
            "before": exempt[2].isoformat(),
            "applied": facts.first_applied_on.isoformat(),
        }
    if first and facts.first_system_year and first < dt.date(facts.first_system_year, 1, 1):
        return _("无等待期：%(year)s 年前已参保且此后按时缴费") % {"year": facts.first_system_year}
    return _("尚未开始等待期（尚未缴足）")


def payable_from(facts: Facts) -> dt.date | None:
    """End of the latest waiting period + 1 day (the first payable day), or None without a waiting period."""
    waits = waiting_intervals(facts)
    return waits[-1][1] + ONE_DAY if waits else None


def first_payable_day(facts: Facts, year: int) -> dt.date | None:
    """SPEC 11.5 `payable_from`: the first covered day of the year when no ARREARS or WAITING block of
    `blocks` (the eligibility rule) falls in it, else the first covered day after the year's last such block
    (the day after the waiting period; a January of grace before arrears does not count); None when no
    covered day of the year follows it (e.g. arrears never recovered, waiting into the next year)."""
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
    stops = [b for a, b, reason, _ in blocks(facts, jan1, dec31) if reason != NOT_COVERED]
    after = max(stops) + ONE_DAY if stops else jan1
    for start, end, _span in sorted(covered_intervals(facts), key=lambda x: x[0]):
        day = max(start, after)
        if day <= min(end, dec31):
            return day
    return None


def export_status(
    *, subsidised: bool, individual_amount: Decimal, individual_paid: Decimal, due: dt.date, today: dt.date
) -> str:
    """SPEC 11.5 status: waived | paid | arrears (a part paid included) | not_due (before the deadline)."""
    if subsidised:
        return "waived"
    status = payment_status(
        individual_amount=individual_amount, individual_paid=individual_paid, due=due, today=today
    )
    return status if status in ("paid", "arrears") else "not_due"

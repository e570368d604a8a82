"""Auditing and pricing the records of a run, and the allowance payouts (SPEC 7.2, 5.2)."""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from benefits import payment
from ltci.core.dates import days_in_month, month_end
from ltci.core.money import ZERO, fen

from .. import rules
from .engine import (
    Context,
    LineResult,
    Rec,
    RunResult,
    Standards,
    allowance_person_ids,
    load_records,
    load_verdicts,
    month_of,
)


def _reject(r: Rec, code: str, detail: str = "") -> None:
    r.code, r.detail = code, detail
    r.base, r.rejected = ZERO, r.charged


def audit_records(records: list[Rec], verdicts: dict, ctx: Context, std: Standards,
                  allowance_days: dict) -> None:
    """Give each record its code (first failing rule) or accept it, in the order of SPEC 7.2."""
    overlaps = rules.caregiver_overlaps(
        (r.id, r.caregiver, r.started_at, r.ended_at) for r in records
        if r.kind == "home_visit" and not r.dup and r.started_at and r.ended_at)
    paid: dict[tuple[int, dt.date], set] = defaultdict(set)
    for key, forms in allowance_days.items():
        paid[key] |= {(None, f) for f in forms}
    occupied: dict[tuple[int, dt.date], set] = defaultdict(set)

    def first_pass_key(r: Rec):
        v = verdicts.get((r.person_id, r.day))
        matches = bool(v and v.eligible and rules.record_matches_form(r.kind, v.care_form)
                       and v.institution_id in (None, r.institution_id))
        return (0 if matches else 1, r.day, r.institution_id, r.id)

    for r in sorted(records, key=first_pass_key):
        v = verdicts.get((r.person_id, r.day))
        r.form = rules.default_form(r.kind, v.care_form if v else None)
        if r.dup:
            _reject(r, rules.DUPLICATE, "same institution, person, kind, date, component and start as an earlier record")
            continue
        if v is None:
            _reject(r, rules.NOT_COVERED, "no eligibility verdict for the day")
            continue
        if not v.eligible:
            _reject(r, v.reason_code or rules.NOT_COVERED, v.detail)
            continue
        if r.kind == "bed_day" and v.died_on == r.day:
            _reject(r, rules.NOT_COVERED, "the day of death is not a bed-day (SPEC 5.2 dates)")
            continue
        r.benefit_class = v.benefit_class
        matches = rules.record_matches_form(r.kind, v.care_form) and v.institution_id in (None, r.institution_id)
        if not matches:
            if r.kind != "device" and rules.is_double_care(r.kind, r.institution_id, paid[(r.person_id, r.day)]):
                _reject(r, rules.DOUBLE_CARE, "another institution or care form is paid for this day")
            else:
                _reject(r, rules.NO_DECISION, f"active decision: {v.care_form} at institution {v.institution_id}")
            continue
        if r.kind != "device":
            r.form = v.care_form
        code, detail = _institution_checks(r, ctx, std, overlaps, occupied)
        if code:
            _reject(r, code, detail)
            continue
        if r.excluded:
            _reject(r, r.excluded, "excluded by staff (SPEC 5.3)")
            continue
        r.code = None
        paid[(r.person_id, r.day)].add((r.institution_id, r.form))
        if r.kind == "bed_day":
            occupied[(r.institution_id, r.day)].add(r.person_id)


def _institution_checks(r: Rec, ctx: Context, std: Standards, overlaps: set, occupied: dict):
    agreement = ctx.agreement_on(r.institution_id, r.day)
    if agreement is None:
        return rules.FORM_NOT_AGREED, "the institution has no agreement in force that day"
    if not rules.agreement_covers(agreement.care_forms, r.form):
        return rules.FORM_NOT_AGREED, f"the agreement does not cover {r.form}"
    if r.kind == "bed_day":
        standard = std.get("residential", r.benefit_class, r.component, r.day)
        institution = ctx.institutions[r.institution_id]
        if institution.type not in (standard.values.get("institution_types") or ()):
            return rules.FORM_NOT_AGREED, f"{r.component} care is not paid in a {institution.type} institution"
        problem = ctx.on_registered_bed(r.person_id, r.institution_id, r.day)
        if problem:
            return rules.BED, problem
        beds = occupied[(r.institution_id, r.day)]
        if r.person_id not in beds and len(beds) >= ctx.capacity(r.institution_id, r.day):
            return rules.BED, "registered beds exceeded that day"
        agreed = agreement.price_life if r.component == "life" else agreement.price_medical
        daily = standard.amount("daily")
        r.cap = daily if agreed is None else min(agreed, daily)
        r.ratio = payment.effective_ratio(standard.amount("fund_ratio"), categories=_categories(r),
                                          bonus=std.bonus(r.day))
    elif r.kind == "home_visit":
        if not r.caregiver:
            return rules.CAREGIVER, "no caregiver named"
        if not ctx.employed(r.institution_id, r.caregiver, r.day):
            return rules.CAREGIVER, "caregiver not registered with the institution that day"
        if r.id in overlaps:
            return rules.CAREGIVER, "overlaps an earlier visit of the same caregiver"
    return None, ""


_CATEGORIES: dict[int, tuple] = {}


def _categories(r: Rec) -> tuple:
    return _CATEGORIES.get(r.person_id, ())


def compute(month: dt.date, on_stage=None) -> RunResult:
    """Audit and price every record the month's run takes, plus the allowances; return the lines.

    ``on_stage(name, done, total)`` is called as each stage starts (progress visible to staff).
    """
    def stage(name, done=0):
        if on_stage:
            on_stage(name, done, len(records) if records is not None else 0)

    records = None
    stage("loading service records")
    records = load_records(month)
    stage("eligibility verdicts")
    allowance_persons = allowance_person_ids(month)
    verdicts = load_verdicts(month, records, allowance_persons)
    stage("institution facts")
    _CATEGORIES.clear()
    for v in verdicts.values():
        _CATEGORIES.setdefault(v.person_id, v.categories)
    start = min([month] + [r.day for r in records])
    ctx = Context(records, start, month_end(month))
    std = Standards()
    allowance_days: dict[tuple[int, dt.date], set] = defaultdict(set)
    end = month_end(month)
    for (person_id, day), v in verdicts.items():
        if month <= day <= end and v.eligible and v.care_form in rules.ALLOWANCE_FORMS:
            allowance_days[(person_id, day)].add(v.care_form)
    stage("auditing records")
    audit_records(records, verdicts, ctx, std, allowance_days)
    stage("pricing lines", len(records))
    lines = price_lines(month, records, verdicts, std)
    lines += allowance_lines(month, verdicts, std)
    lines.sort(key=lambda line: (line.institution_id or 0, line.person_id, line.care_form, line.is_late))
    return RunResult(month=month, lines=lines, statements=[])


def _eligible_days(verdicts, person_id, form, institution_id, first):
    """Days of the month the person is eligible for the form with the institution, per benefit class."""
    by_class: dict[str | None, int] = defaultdict(int)
    for n in range(days_in_month(first)):
        v = verdicts.get((person_id, first + dt.timedelta(days=n)))
        if v and v.eligible and v.care_form == form and v.institution_id in (None, institution_id):
            by_class[v.benefit_class] += 1
    return by_class


def price_lines(month: dt.date, records: list[Rec], verdicts: dict, std: Standards) -> list[LineResult]:
    groups: dict[tuple, list[Rec]] = defaultdict(list)
    for r in records:
        first = month_of(r.day)
        groups[(r.institution_id, r.person_id, r.form, first, first != month)].append(r)
    lines = []
    for (institution_id, person_id, form, first, late), recs in groups.items():
        line = LineResult(institution_id, person_id, form, first, late, records=recs)
        accepted = [r for r in recs if r.code is None]
        rejected = [r for r in recs if r.code is not None]
        priced = payment.Amounts()
        if accepted:
            if form == "residential":
                priced = _price_residential(accepted)
            elif form == "device":
                used = _used(month, person_id, None, form, dt.date(first.year, 1, 1), dt.date(first.year, 12, 31))
                priced = _price_devices(accepted, std, used)
            else:
                used = _used(month, person_id, institution_id, form, first, first) if late else ZERO
                priced = _price_visits(accepted, verdicts, std, person_id, institution_id, form, first, used)
        refused = sum((r.charged for r in rejected), ZERO)
        codes = set(priced.codes) | {r.code for r in rejected}
        line.amounts = payment.Amounts(charged=priced.charged + refused, fund=priced.fund,
                                       personal=priced.personal, rejected=priced.rejected + refused,
                                       codes=tuple(sorted(codes)))
        line.details["classes"] = sorted({r.benefit_class for r in recs if r.benefit_class})
        if form == "residential":
            line.quantity = len({r.day for r in recs})
        else:
            line.quantity = len(recs)
        lines.append(line)
    return lines


def _price_residential(accepted: list[Rec]) -> payment.Amounts:
    """Bases per day (min of charge, agreed price, standard); the fund is rounded once for the whole line:
    fen(sum over (component, ratio) of bases x ratio), so a line with life and medical care is exact."""
    by_ratio: dict[tuple[str, Decimal], list[Rec]] = defaultdict(list)
    for r in accepted:
        by_ratio[(r.component, r.ratio)].append(r)
    base_total = over_total = exact = ZERO
    for (_, ratio), recs in sorted(by_ratio.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        recs.sort(key=lambda r: (r.day, r.id))
        part = payment.residential_days([(r.charged, r.cap) for r in recs], fund_ratio=ratio)
        group_base = ZERO
        for r, (base, over) in zip(recs, part.items, strict=True):
            r.base, r.rejected = base, over
            group_base += base
            if over:
                r.code = rules.OVER_PRICE
        base_total += group_base
        over_total += part.rejected
        exact += group_base * ratio
    fund = fen(exact)
    return payment.Amounts(charged=base_total + over_total, fund=fund, personal=base_total - fund,
                           rejected=over_total, codes=(rules.OVER_PRICE,) if over_total else ())


def _used(month, person_id, institution_id, form, first, last) -> Decimal:
    """Base already paid against a limit by the latest runs of other months (late lines, devices' year)."""
    from django.db.models import F, Sum

    from ..models import SettlementLine, SettlementRun

    latest = {}
    for pk, run_month, version in SettlementRun.objects.exclude(month=month).values_list("pk", "month", "version"):
        if run_month not in latest or version > latest[run_month][1]:
            latest[run_month] = (pk, version)
    qs = SettlementLine.objects.filter(run_id__in=[v[0] for v in latest.values()], person_id=person_id,
                                       care_form=form, service_month__range=(first, last), is_adjustment=False)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.aggregate(s=Sum(F("charged_amount") - F("rejected_amount")))["s"] or ZERO


def _price_visits(accepted, verdicts, std, person_id, institution_id, form, first, used=ZERO) -> payment.Amounts:
    accepted.sort(key=lambda r: (r.started_at or dt.datetime.combine(r.day, dt.time(0)).astimezone(), r.id))
    dim = days_in_month(first)
    limit_sum = ZERO
    standard = None
    for benefit_class, n in _eligible_days(verdicts, person_id, form, institution_id, first).items():
        standard = std.get(form, benefit_class, "", first)
        field_name = "visits_monthly_limit" if form == "home_family" else "monthly_limit"
        limit_sum += standard.amount(field_name) * n
    if standard is None:  # accepted records imply eligible days; keep the guard explicit
        standard = std.get(form, accepted[0].benefit_class, "", first)
    limit = max(fen(limit_sum / dim) - used, ZERO)
    if form == "home_package_copay":
        part = payment.package_with_copay([r.charged for r in accepted], limit=limit,
                                          copay_per_visit=standard.amount("copay_per_visit"))
    else:
        ratio = payment.dec(standard.values.get("fund_ratio") or "1")
        part = payment.within_limit([r.charged for r in accepted], limit=limit, fund_ratio=ratio)
    for r, (base, over) in zip(accepted, part.items, strict=True):
        r.base, r.rejected = base, over
        if over:
            r.code = rules.OVER_LIMIT
    return part


def _price_devices(accepted, std, used=ZERO) -> payment.Amounts:
    accepted.sort(key=lambda r: (r.day, r.id))
    standard = std.get("device", accepted[0].benefit_class, "", accepted[0].day)
    part = payment.devices([r.charged for r in accepted], yearly_limit=standard.amount("yearly_limit"),
                           used_this_year=used, fund_ratio=standard.amount("fund_ratio"))
    for r, (base, over) in zip(accepted, part.items, strict=True):
        r.base, r.rejected = base, over
        if over:
            r.code = rules.OVER_LIMIT
    return part


def allowance_lines(month: dt.date, verdicts: dict, std: Standards) -> list[LineResult]:
    """Payouts to persons: each eligible day of an allowance form (the death day is payable)."""
    end = month_end(month)
    groups: dict[tuple, int] = defaultdict(int)
    for (person_id, day), v in verdicts.items():
        if month <= day <= end and v.eligible and v.care_form in rules.ALLOWANCE_FORMS:
            groups[(person_id, v.care_form, v.benefit_class, v.carer_trained)] += 1
    per_line: dict[tuple, LineResult] = {}
    for (person_id, form, benefit_class, trained), n in sorted(groups.items(), key=lambda kv: str(kv[0])):
        standard = std.get(form, benefit_class, "", month)
        if form == "home_family":
            part = payment.family_allowance(daily=standard.amount("daily_allowance"), eligible_days=n,
                                            carer_trained=trained, untrained_ratio=standard.amount("untrained_ratio"))
        else:
            part = payment.allowance(daily=standard.amount("daily"), eligible_days=n)
        line = per_line.setdefault((person_id, form), LineResult(None, person_id, form, month, False))
        line.quantity += n
        line.amounts = line.amounts + part
        line.details["classes"] = sorted(set(line.details.get("classes", [])) | ({benefit_class} - {None}))
        line.details.setdefault("parts", []).append(
            {"class": benefit_class, "days": n, "carer_trained": trained, "amount": str(part.fund)})
    return list(per_line.values())

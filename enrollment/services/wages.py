"""Wage bases and employer payments (seed 004 五: "单位缴费基数为职工工资总额……个人缴费基数为本人工资收入"):
the payroll system's yearly wage base per person and the collection system's employer payment records."""

from collections import Counter

from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.import_fields import RowError, duplicate_message, unknown_person_message
from ltci.core.policy import PolicyError

from ..models import Contribution, EmployerPayment, WageBase
from ..selectors import persons_by_national_id


def wage_bases_apply(parsed) -> tuple[int, int, list[RowError]]:
    """Create or correct wage bases. A base the year's contribution was already computed from is not changed
    (the contribution would no longer match its base)."""
    errors: list[RowError] = []
    seen: dict[tuple[str, int], int] = {}
    rows = []
    for row_no, r in parsed:
        key = (r.national_id, r.year)
        if key in seen:
            errors.append(RowError(row_no, "*", duplicate_message(seen[key])))
            continue
        seen[key] = row_no
        rows.append((row_no, r))
    persons = persons_by_national_id({r.national_id for _row, r in rows})
    ids = [p.pk for p in persons.values()]
    existing = {
        (w.person_id, w.year): w for w in WageBase.objects.select_for_update().filter(person_id__in=ids)
    }
    booked = set(Contribution.objects.filter(person_id__in=ids).values_list("person_id", "year"))
    applied = unchanged = 0
    for row_no, r in rows:
        person = persons.get(r.national_id)
        if person is None:
            errors.append(RowError(row_no, "national_id", unknown_person_message(r.national_id)))
            continue
        if person.insurance_type != "employee":
            errors.append(
                RowError(
                    row_no, "national_id", _("%(id)s 不是职工参保人，没有缴费基数") % {"id": r.national_id}
                )
            )
            continue
        found = existing.get((person.pk, r.year))
        if found is not None and (found.amount, found.employer_code) == (r.wage_base, r.employer_code):
            unchanged += 1
            continue
        if (person.pk, r.year) in booked:
            errors.append(
                RowError(
                    row_no,
                    "wage_base",
                    _("%(year)s 年度缴费已按原缴费基数核定，不能再更改") % {"year": r.year},
                )
            )
            continue
        if found is None:
            WageBase.objects.create(
                person=person, year=r.year, employer_code=r.employer_code, amount=r.wage_base
            )
        else:
            found.amount, found.employer_code = r.wage_base, r.employer_code
            found.save(update_fields=["amount", "employer_code"])
        applied += 1
    return applied, unchanged, errors


def employer_payments_apply(parsed) -> tuple[int, int, list[RowError]]:
    """Record employer payments (each once, by its reference) and book the fund's employer income of their
    years. An employer is known for a year by the wage bases naming it; its region is where most of those
    employees are insured."""
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = []
    for row_no, r in parsed:
        if r.reference in seen:
            errors.append(RowError(row_no, "reference", duplicate_message(seen[r.reference])))
            continue
        seen[r.reference] = row_no
        rows.append((row_no, r))
    existing = {
        p.reference: p
        for p in EmployerPayment.objects.filter(reference__in=[r.reference for _row, r in rows])
    }
    regions: dict[tuple[str, int], Counter] = {}
    for code, year, region in WageBase.objects.filter(
        employer_code__in={r.employer_code for _row, r in rows}
    ).values_list("employer_code", "year", "person__region_code"):
        regions.setdefault((code, year), Counter())[region] += 1
    applied = unchanged = 0
    years = set()
    for row_no, r in rows:
        found = existing.get(r.reference)
        if found is not None:
            if (found.employer_code, found.year, found.amount, found.paid_on) == (
                r.employer_code,
                r.year,
                r.amount,
                r.paid_on,
            ):
                unchanged += 1
            else:
                errors.append(
                    RowError(
                        row_no, "reference", _("缴费凭证号 %(ref)s 已按其他内容登记") % {"ref": r.reference}
                    )
                )
            continue
        heads = regions.get((r.employer_code, r.year))
        if not heads:
            errors.append(
                RowError(
                    row_no,
                    "employer_code",
                    _("%(code)s 没有 %(year)s 年度的职工缴费基数（先导入缴费基数）")
                    % {"code": r.employer_code, "year": r.year},
                )
            )
            continue
        region = min(heads, key=lambda code: (-heads[code], code))
        EmployerPayment.objects.create(
            employer_code=r.employer_code,
            region_code=region,
            year=r.year,
            amount=r.amount,
            paid_on=r.paid_on,
            reference=r.reference,
        )
        years.add(r.year)
        applied += 1
    _book(years)
    return applied, unchanged, errors


def _book(years) -> None:
    """Book the fund income of the years whose employer payments changed (the yearly run books them too)."""
    from .run import book_fund_income
    from .standards import year_policy

    for year in sorted(years):
        try:
            policy = year_policy(year)
        except PolicyError:  # the standard is not entered yet: the year's run books the payments
            continue
        book_fund_income(policy, on=timezone.localdate())

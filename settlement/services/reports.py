"""Fund reports, early warnings, deposit release and the settlement documents (SPEC 7.3, 10)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from ltci.core.dates import month_end
from ltci.core.money import ZERO, fen
from ltci.core.policy import NoPolicyInForce, policy_in_force

from ..models import DepositRelease, FundWarning, LedgerEntry, SettlementLine, SettlementRun, Statement


def flows_by_month(*, year: int | None = None, region: str | None = None) -> list[dict]:
    """Income, expenditure and closing balance per month (optionally one region)."""
    qs = LedgerEntry.objects.all()
    if region:
        qs = qs.filter(region_code=region)
    rows: dict[dt.date, dict[str, Any]] = {}
    for row in (
        qs.annotate(month=TruncMonth("booked_on"))
        .values("month", "account")
        .annotate(total=Sum("amount"))
        .order_by("month")
    ):
        entry = rows.setdefault(
            row["month"], {"month": row["month"], "income": ZERO, "expenditure": ZERO, "reserve": ZERO}
        )
        if row["account"] == LedgerEntry.Account.RESERVE_DRAWN:  # set aside, not spent on benefits
            entry["reserve"] -= row["total"]
        elif row["total"] >= 0 and row["account"].startswith("income"):
            entry["income"] += row["total"]
        else:
            entry["expenditure"] -= row["total"]
    balance = ZERO
    result = []
    for month in sorted(rows):
        entry = rows[month]
        balance += entry["income"] - entry["expenditure"] - entry["reserve"]
        entry["balance"] = balance
        if year is None or month.year == year:
            result.append(entry)
    return result


def flows_of_year(*, year: int, region: str | None = None) -> list[dict]:
    """Every month of a year, January to December: income, expenditure (zero in a month without entries) and
    the closing balance (carried over from the month before)."""
    booked = {m["month"]: m for m in flows_by_month(region=region)}
    balance = ZERO
    for month in sorted(booked):
        if month.year < year:
            balance = booked[month]["balance"]
    months = []
    for number in range(1, 13):
        month = dt.date(year, number, 1)
        entry = booked.get(month) or {
            "month": month,
            "income": ZERO,
            "expenditure": ZERO,
            "balance": balance,
            "empty": True,
        }
        balance = entry["balance"]
        months.append(entry)
    return months


def flows_by(field: str) -> list[dict]:
    """Totals of the ledger by account and region or source."""
    return list(
        LedgerEntry.objects.values(field, "account")
        .annotate(total=Sum("amount"), n=Count("id"))
        .order_by(field, "account")
    )


def payout_ratio(*, month: dt.date | None = None) -> Decimal | None:
    """Fund share of the eligible charges (charged - rejected) of the latest runs: about 70% by policy."""
    runs = _latest_runs()
    qs = SettlementLine.objects.filter(run_id__in=runs, institution__isnull=False, is_adjustment=False)
    if month:
        qs = qs.filter(run__month=month)
    totals = qs.aggregate(
        fund=Sum("fund_amount"), charged=Sum("charged_amount"), rejected=Sum("rejected_amount")
    )
    eligible = (totals["charged"] or ZERO) - (totals["rejected"] or ZERO)
    return (totals["fund"] / eligible).quantize(Decimal("0.0001")) if eligible else None


def beneficiaries(*, month: dt.date) -> list[dict]:
    """Persons paid in a month's latest run by benefit class and care form, with the fund paid."""
    runs = _latest_runs()
    groups: dict[tuple[str, str], dict] = {}
    for person_id, form, fund, details in SettlementLine.objects.filter(
        run_id__in=runs, run__month=month, fund_amount__gt=0
    ).values_list("person_id", "care_form", "fund_amount", "details"):
        benefit_class = ",".join((details or {}).get("classes") or ["—"])
        entry = groups.setdefault(
            (benefit_class, form),
            {"benefit_class": benefit_class, "care_form": form, "persons": set(), "fund": ZERO},
        )
        entry["persons"].add(person_id)
        entry["fund"] += fund
    return [{**g, "persons": len(g["persons"])} for _, g in sorted(groups.items())]


def beneficiaries_by_grade(*, month: dt.date) -> list[dict]:
    """Persons paid in a month's latest run by disability grade (the conclusion in force at the month's
    end, or the last day paid) and care form: persons and fund."""
    from assessment.rules import pick_conclusion
    from assessment.selectors import conclusions_in_force

    end = month_end(month)
    paid: dict[int, dict[str, Decimal]] = {}
    for person_id, form, fund in SettlementLine.objects.filter(
        run_id__in=_latest_runs(), run__month=month, fund_amount__gt=0
    ).values_list("person_id", "care_form", "fund_amount"):
        forms = paid.setdefault(person_id, {})
        forms[form] = forms.get(form, ZERO) + fund
    conclusions = conclusions_in_force(person_ids=list(paid), start=month, end=end)
    groups: dict[tuple, dict] = {}
    for person_id, forms in paid.items():
        own = conclusions.get(person_id, [])
        conclusion = next((c for c in (pick_conclusion(own, day) for day in (end, month)) if c), None)
        grade = conclusion.grade if conclusion else None
        for form, fund in forms.items():
            entry = groups.setdefault(
                (grade if grade is not None else -1, form),
                {"grade": grade, "care_form": form, "persons": 0, "fund": ZERO},
            )
            entry["persons"] += 1
            entry["fund"] += fund
    return [g for _, g in sorted(groups.items())]


def _latest_runs() -> list[int]:
    from ..selectors import latest_runs

    return [run.pk for run in latest_runs().values()]


@transaction.atomic
def fund_warnings_check(*, on: dt.date) -> list[FundWarning]:
    """Raise the early warnings of SPEC 7.3 for a day (idempotent: one per kind and day)."""
    try:
        rule = policy_in_force("fund_warning", on=on)
    except NoPolicyInForce:
        return []
    months = flows_by_month()
    raised = []
    past = [m for m in months if m["month"] < on.replace(day=1)][-12:]
    balance = months[-1]["balance"] if months else ZERO
    if past:
        average = sum((m["expenditure"] for m in past), ZERO) / len(past)
        if average > 0 and balance < average * rule["months"]:
            raised.append(
                (
                    "balance_low",
                    f"基金结余 {fen(balance)} 元不足 {rule['months']} 个月平均支出（月均 {fen(average)} 元）",
                )
            )
    if len(past) >= 2 and past[-2]["expenditure"] > 0:
        growth = past[-1]["expenditure"] / past[-2]["expenditure"] - 1
        if growth > rule["growth_threshold"]:
            raised.append(
                ("expenditure_growth", f"{past[-1]['month']:%Y-%m} 支出环比增长 {fen(growth * 100)}%")
            )
    year_income = LedgerEntry.objects.filter(booked_on__year=on.year, amount__gt=0).aggregate(
        s=Sum("amount")
    )["s"]
    handling = operating_costs(year=on.year)
    ratio = (
        rule["admin_cost_ratio"] if rule.entered("admin_cost_ratio") else None
    )  # only where a seed sets one
    if ratio is not None and year_income and handling > year_income * ratio:
        raised.append(
            ("admin_cost", f"{on.year}年经办及其他业务费用 {handling} 元超过当年筹资的 {fen(ratio * 100)}%")
        )
    created, new = [], []
    for kind, message in raised:
        warning, is_new = FundWarning.objects.get_or_create(
            kind=kind, raised_on=on, defaults={"message": message}
        )
        created.append(warning)
        if is_new:
            new.append(warning)
    transaction.on_commit(lambda: warnings_notify(new))
    return created


def operating_costs(*, year: int) -> Decimal:
    """The year's operating costs (其他业务费用: handling fees, publicity, legal counsel), a positive amount."""
    from .fund import OPERATING_ACCOUNTS

    booked = LedgerEntry.objects.filter(booked_on__year=year, account__in=OPERATING_ACCOUNTS)
    return -(booked.aggregate(s=Sum("amount"))["s"] or ZERO)


def fund_rules(*, year: int) -> dict:
    """Which of the fund's pack-specific rules the scheme has in the year (in force on 31 December): the
    operating-cost ceiling (a ratio, or None) and the reserve from the surplus (SPEC 7.3, policy data)."""
    try:
        rule = policy_in_force("fund_warning", on=dt.date(year, 12, 31))
    except NoPolicyInForce:
        return {"admin_cost_ratio": None, "reserve": False}
    ratio = rule["admin_cost_ratio"] if rule.entered("admin_cost_ratio") else None
    return {"admin_cost_ratio": ratio, "reserve": rule["reserve_from_surplus"]}


# Seed 003 三(四) "当年结余部分按当年市级财政投入比例提取专款": the city's fiscal input (its part of each standard,
# and the individual parts it pays in full for the special groups) over the year's funding (筹资: contributions,
# collective and charity funds), not over interest, recoveries or kept deposits; a district's part is not the
# city's.
CITY_FISCAL_SOURCES = ("fiscal", "fiscal_city", "fiscal_subsidy")
FUNDING_ACCOUNTS = (
    "income_individual",
    "income_pooled_fund",
    "income_fiscal",
    "income_employer",
    "income_collective",
    "income_donation",
)


def reserve_for_year(*, year: int) -> dict:
    """Jinjiang's reserve (调剂金): the year's surplus x the city fiscal share of the year's funding; the
    reserve's own posting is not part of the year's flows."""
    entries = LedgerEntry.objects.filter(booked_on__year=year).exclude(
        account=LedgerEntry.Account.RESERVE_DRAWN
    )
    income = entries.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or ZERO
    spent = -(entries.filter(amount__lt=0).aggregate(s=Sum("amount"))["s"] or ZERO)
    funding = entries.filter(account__in=FUNDING_ACCOUNTS).aggregate(s=Sum("amount"))["s"] or ZERO
    from enrollment.models import FundIncome

    # the ledger posts a FundIncome on its booked_on: the fiscal income of the year that is not the city's
    district = FundIncome.objects.filter(booked_on__year=year, source__startswith="fiscal").exclude(
        source__in=CITY_FISCAL_SOURCES
    )
    fiscal = (
        entries.filter(account="income_fiscal")
        .exclude(reference__in=[f"fund_income:{pk}" for pk in district.values_list("pk", flat=True)])
        .aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    surplus = income - spent
    share = (fiscal / funding) if funding else ZERO
    return {
        "year": year,
        "income": income,
        "expenditure": spent,
        "surplus": surplus,
        "fiscal_share": share,
        "reserve": fen(max(surplus, ZERO) * share),
    }


class ReserveError(Exception):
    """The reserve cannot be booked for the year (the reason is for staff)."""


@transaction.atomic
def reserve_book(*, year: int, actor=None):
    """Book the year's reserve (调剂金) once, after the year has ended, where the scheme draws one from the
    surplus (seed 003 三(四)); the ledger posts it on 31 December (fund.SOURCES "reserve"). Idempotent: a
    year already booked is returned as it was."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from ..models import ReserveAllocation

    existing = ReserveAllocation.objects.filter(year=year).first()
    if existing is not None:
        return existing
    if not fund_rules(year=year)["reserve"]:
        raise ReserveError(_("%(year)s 年的政策没有从结余提取调剂金的规定") % {"year": year})
    if dt.date(year, 12, 31) >= timezone.localdate():
        raise ReserveError(_("%(year)s 年尚未结束，年度结余未定，不能提取调剂金") % {"year": year})
    figures = reserve_for_year(year=year)
    return ReserveAllocation.objects.create(
        year=year,
        income=figures["income"],
        expenditure=figures["expenditure"],
        fiscal_share=figures["fiscal_share"].quantize(Decimal("0.000001")),
        amount=figures["reserve"],
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def deposits_release(*, year: int) -> list[DepositRelease]:
    """Release the quality deposits withheld in a year according to the institutions' appraisals."""
    from institutions.models import Appraisal

    withheld = (
        Statement.objects.filter(
            run_id__in=_latest_runs(), run__month__year=year, run__state__in=["approved", "paid"]
        )
        .values("institution_id")
        .annotate(total=Sum("deposit_withheld"))
    )
    rates = dict(Appraisal.objects.filter(year=year).values_list("institution_id", "release_rate"))
    result = []
    for row in withheld:
        rate = rates.get(row["institution_id"], ZERO)
        release, _ = DepositRelease.objects.get_or_create(
            institution_id=row["institution_id"],
            year=year,
            defaults={"withheld": row["total"], "release_rate": rate, "released": fen(row["total"] * rate)},
        )
        result.append(release)
    return result  # the part not released stays in the fund: the ledger posts it (deposit_kept)


def budget_vs_actual(*, year: int, region: str | None = None) -> list[dict]:
    """预决算: each budgeted account of the year against the ledger (positive amounts), with the rate."""
    from ..models import FundBudget

    budgets: dict[str, Decimal] = {}
    qs = FundBudget.objects.filter(year=year)
    qs = qs.filter(region_code=region) if region else qs.filter(region_code="")
    for account, amount in qs.values_list("account", "amount"):
        budgets[account] = amount
    ledger = LedgerEntry.objects.filter(booked_on__year=year)
    if region:
        ledger = ledger.filter(region_code=region)
    actual = {
        row["account"]: abs(row["total"]) for row in ledger.values("account").annotate(total=Sum("amount"))
    }
    labels = dict(LedgerEntry.Account.choices)
    rows = []
    for account in sorted(set(budgets) | set(actual), key=lambda a: (not a.startswith("income"), a)):
        budget, done = budgets.get(account), actual.get(account, ZERO)
        rows.append(
            {
                "account": account,
                "label": labels.get(account, account),
                "budget": budget,
                "actual": done,
                "difference": None if budget is None else done - budget,
                "rate": (done / budget).quantize(Decimal("0.0001")) if budget else None,
            }
        )
    return rows


def warning_recipients() -> list[str]:
    """E-mail addresses of active staff who read the fund reports (who act on early warnings)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from ltci.core.permissions import staff_roles

    users = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__name__in=staff_roles("fund.reports")))
        .distinct()
    )
    return sorted(users.values_list("email", flat=True))


def warnings_notify(warnings: list[FundWarning]) -> int:
    """Send the newly raised warnings to the fund staff by e-mail; return the number of recipients."""
    import logging

    from django.core.mail import send_mail

    if not warnings:
        return 0
    for warning in warnings:
        logging.getLogger(__name__).warning("fund early warning %s: %s", warning.kind, warning.message)
    recipients = warning_recipients()
    if recipients:
        body = "\n".join(f"{w.raised_on} {w.message}" for w in warnings)
        send_mail(
            f"长护险基金预警（{len(warnings)}项）",
            body + "\n\n请在管理后台“基金预警”中处理。",
            None,
            recipients,
            fail_silently=True,
        )
    return len(recipients)


def statement_pdf(statement: Statement) -> bytes:
    from ltci.core.pdf import render_pdf

    return render_pdf("documents/settlement_statement.html", statement_context(statement))


def statement_context(statement: Statement) -> dict:
    lines = (
        statement.run.lines.filter(institution_id=statement.institution_id)
        .select_related("person")
        .order_by("person__national_id", "care_form")
    )
    from ltci.core.idnumber import mask_id

    from ..rules import codes_text

    return {
        "title": "长期护理保险结算单",
        "document_no": statement.document_no,
        "statement": statement,
        "institution": statement.institution,
        "run": statement.run,
        "issued_at": statement.run.started_at,
        "lines": [
            {
                "line": line,
                "masked_id": mask_id(line.person.national_id),
                "name": line.person.name,
                "reasons": codes_text(line.reason_codes),
            }
            for line in lines
        ],
    }


def disclosure_pdf(*, year: int) -> bytes:
    from ltci.core.pdf import render_pdf

    months = flows_of_year(year=year)
    return render_pdf(
        "documents/fund_disclosure.html",
        {
            "title": "长期护理保险基金收支情况公布",
            "document_no": f"JJGB-{year}",
            "year": year,
            "months": months,
            "income": sum((m["income"] for m in months), ZERO),
            "expenditure": sum((m["expenditure"] for m in months), ZERO),
            "balance": months[-1]["balance"] if months else ZERO,
            "issued_at": None,
        },
    )


def payment_list_pdf(run: SettlementRun) -> bytes:
    """The payment list for the bank (SPEC 10) of an approved or paid run, re-issued identically."""
    from ltci.core.idnumber import mask_id
    from ltci.core.pdf import render_pdf

    from .run import SettlementError, bank_rows

    if not run.is_final:
        raise SettlementError(f"the settlement of {run.month:%Y-%m} is {run.state}: approve it before paying")
    rows = bank_rows(run)
    institutions = [r for r in rows if r[0] == "institution"]
    persons = [[*r[:1], mask_id(r[1]), *r[2:]] for r in rows if r[0] == "person"]
    return render_pdf(
        "documents/payment_list.html",
        {
            "title": "长期护理保险基金支付清单",
            "document_no": f"ZF-{run.month:%Y%m}-v{run.version}",
            "run": run,
            "institutions": institutions,
            "persons": persons,
            "issued_at": run.approved_at,
            "institution_total": sum((Decimal(r[5]) for r in institutions), ZERO),
            "person_total": sum((Decimal(r[5]) for r in persons), ZERO),
        },
    )

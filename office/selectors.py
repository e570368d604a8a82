"""Reads of the staff case page: one person's records across every app, each section only for staff allowed
to view its model (the case page is no way round an app's own page permission)."""

import datetime as dt
from collections import defaultdict

from assessment.models import Application, ApplicationDocument, Conclusion
from benefits.eligibility import explain, is_eligible
from benefits.models import BenefitDecision
from benefits.rules import CONDITION_TITLES
from enrollment.models import Contribution, CoveragePeriod
from settlement.models import Payment, Payout, SettlementLine
from settlement.rules import reason_text
from settlement.selectors import latest_runs

LINE_LIMIT = 120  # lines shown (the newest months first); the full list is one link away


def _may(user, app_model: str) -> bool:
    app_label, model = app_model.split(".")
    return user.has_perm(f"{app_label}.view_{model}")


def coverage(person):
    return list(CoveragePeriod.objects.filter(person=person).order_by("-start"))


def contributions(person):
    return list(Contribution.objects.filter(person=person).order_by("-year"))


def applications(person):
    return list(
        Application.objects.filter(person=person).select_related("agency").order_by("-applied_on", "-id")
    )


def conclusions(person):
    return list(Conclusion.objects.filter(person=person).order_by("-concluded_on", "-id"))


def documents(person):
    return list(
        ApplicationDocument.objects.filter(application__person=person)
        .select_related("application")
        .order_by("-uploaded_at")
    )


def decisions(person):
    """The person's decisions, newest first, each with its latest filed service package (服务包) or None."""
    result = list(
        BenefitDecision.objects.filter(person=person)
        .select_related("institution")
        .prefetch_related("service_packages")
        .order_by("-starts_on")
    )
    for decision in result:
        decision.package = next(iter(decision.service_packages.all()), None)  # ordered newest first
    return result


def lines_by_month(person) -> list[dict]:
    """The person's lines of each month's latest run (any state: staff see drafts), newest month first."""
    runs = [run.pk for run in latest_runs().values()]
    lines = (
        SettlementLine.objects.filter(person=person, run_id__in=runs)
        .select_related("run", "institution")
        .order_by("-service_month", "institution_id", "care_form")[:LINE_LIMIT]
    )
    months: dict[dt.date, dict] = defaultdict(lambda: {"lines": [], "fund": 0, "personal": 0})
    for line in lines:
        entry = months[line.service_month]
        entry["month"] = line.service_month
        entry["lines"].append(line)
        entry["fund"] += line.fund_amount
        entry["personal"] += line.personal_amount
        line.reasons = [(code, reason_text(code)) for code in line.reason_codes]
    return sorted(months.values(), key=lambda e: e["month"], reverse=True)


def payouts(person):
    runs = [run.pk for run in latest_runs().values()]
    return list(
        Payout.objects.filter(person=person, run_id__in=runs).select_related("run").order_by("-run__month")
    )


def payments(person):
    """Each transfer of the person's payouts (issue 19): its batch, account, state and the bank's answer; a
    re-issued payment shows beside the failed one it replaces."""
    return list(
        Payment.objects.filter(person=person)
        .select_related("run", "batch", "account", "reissue_of")
        .order_by("-run__month", "-created_at", "-id")
    )


def history(person, limit=30):
    return list(person.history.select_related("history_user").order_by("-history_date")[:limit])


def eligibility(person, *, on: dt.date, care_form: str | None, kind: str | None = None) -> dict:
    """The SPEC 5.1 explanation (benefits.eligibility.explain, as the explain_eligibility command)."""
    conditions = explain(person=person, on=on, care_form=care_form, kind=kind)
    rows = [
        {
            "title": CONDITION_TITLES.get(c.code, c.code),
            "code": c.code,
            "passed": c.passed,
            "reason_code": c.reason_code,
            "reason": reason_text(c.reason_code) if c.reason_code else "",
            "detail": c.detail,
            "record": c.record,
        }
        for c in conditions
    ]
    return {"on": on, "care_form": care_form, "eligible": is_eligible(conditions), "conditions": rows}


def case_sections(person, user) -> dict:
    """Every section the user may see, keyed by name; a section the user may not see is absent."""
    readers = {
        "coverage": ("enrollment.coverageperiod", coverage),
        "contributions": ("enrollment.contribution", contributions),
        "applications": ("assessment.application", applications),
        "conclusions": ("assessment.conclusion", conclusions),
        "documents": ("assessment.application", documents),
        "decisions": ("benefits.benefitdecision", decisions),
        "months": ("settlement.settlementline", lines_by_month),
        "payouts": ("settlement.payout", payouts),
        "payments": ("settlement.payment", payments),
    }
    return {name: read(person) for name, (model, read) in readers.items() if _may(user, model)}

"""Reads, including the portal's and API's scoped reads (nothing outside the caller's institution)."""

import datetime as dt

from ltci.core.dates import month_end
from ltci.core.queries import id_set

from .models import Payment, ServiceRecord, SettlementLine, SettlementRun, Statement

VISIBLE_STATES = (SettlementRun.State.AUDITED, SettlementRun.State.APPROVED, SettlementRun.State.PAID)


def latest_runs() -> dict[dt.date, SettlementRun]:
    """The latest run (highest version) of every month that has been run, by month (one small query)."""
    runs = (
        SettlementRun.objects.order_by("month", "-version")
        .distinct("month")
        .only("id", "month", "version", "state", "started_at")
    )
    return {run.month: run for run in runs}


def records_for_institution(*, institution, month: dt.date):
    return ServiceRecord.objects.filter(
        institution=institution, service_date__range=(month, month_end(month))
    ).order_by("service_date", "id")


def visible_run(month: dt.date) -> SettlementRun | None:
    """The month's latest run once it is audited (drafts are internal to the office)."""
    run = SettlementRun.objects.filter(month=month).order_by("-version").first()
    return run if run and run.state in VISIBLE_STATES else None


def visible_lines(*, institution, month: dt.date):
    run = visible_run(month)
    if run is None:
        return None, SettlementLine.objects.none()
    return run, (
        SettlementLine.objects.filter(run=run, institution=institution)
        .select_related("person")
        .order_by("person__national_id", "care_form", "is_late")
    )


def lines_for_institution(*, institution):
    return SettlementLine.objects.filter(
        institution=institution, run__state__in=VISIBLE_STATES
    ).select_related("run")


def statements_for_institution(*, institution):
    return (
        Statement.objects.filter(institution=institution, run__state__in=VISIBLE_STATES)
        .select_related("run", "institution")
        .order_by("-run__month")
    )


def person_months(*, person, limit: int = 24) -> list[dict]:
    """For the insured person's status page: each month's services and what the fund and the person paid."""
    result: dict[dt.date, dict] = {}
    runs = [r.pk for r in latest_runs().values()]
    lines = (
        SettlementLine.objects.filter(person=person, run_id__in=id_set(runs), run__state__in=VISIBLE_STATES)
        .select_related("institution", "run")
        .order_by("-service_month")
    )
    for line in lines:
        entry = result.setdefault(
            line.service_month, {"month": line.service_month, "lines": [], "fund": 0, "personal": 0}
        )
        entry["lines"].append(line)
        entry["fund"] += line.fund_amount
        entry["personal"] += line.personal_amount
    return sorted(result.values(), key=lambda e: e["month"], reverse=True)[:limit]


def payments_for_person(*, person) -> list[Payment]:
    """A person's payments (their payouts'), newest first, for their page (issue 19)."""
    return list(
        Payment.objects.filter(person=person)
        .select_related("run", "account")
        .order_by("-run__month", "-created_at", "-pk")[:24]
    )


def payments_for_institution(*, institution) -> list[Payment]:
    """The institution's payments (its statements'), newest first, for the portal (issue 19)."""
    return list(
        Payment.objects.filter(institution=institution)
        .select_related("run", "account", "statement")
        .order_by("-run__month", "-created_at", "-pk")[:60]
    )

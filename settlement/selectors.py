"""Reads, including the portal's and API's scoped reads (nothing outside the caller's institution)."""

import datetime as dt

from ltci.core.dates import month_end
from ltci.core.queries import SENTINEL_ID, Precompiled, id_set

from .models import ServiceRecord, SettlementLine, SettlementRun, Statement

VISIBLE_STATES = (SettlementRun.State.AUDITED, SettlementRun.State.APPROVED, SettlementRun.State.PAID)


def _build_latest_runs():
    return (
        SettlementRun.objects.order_by("month", "-version")
        .distinct("month")
        .only("id", "month", "version", "state", "started_at")
    )


_latest_runs = Precompiled(_build_latest_runs)  # read on every status page: compiled once


def latest_runs() -> dict[dt.date, SettlementRun]:
    """The latest run (highest version) of every month that has been run, by month (one small query)."""
    return {run.month: run for run in _latest_runs()}


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


def _build_person_lines(person, runs):
    return (
        SettlementLine.objects.filter(person=person, run_id__in=id_set(runs), run__state__in=VISIBLE_STATES)
        .select_related("institution", "run")
        .order_by("-service_month")
    )


_person_lines = Precompiled(_build_person_lines, person=SENTINEL_ID, runs=[SENTINEL_ID])


def person_months(*, person, limit: int = 24) -> list[dict]:
    """For the insured person's status page: each month's services and what the fund and the person paid."""
    result: dict[dt.date, dict] = {}
    for line in _person_lines(person=person.pk, runs=[r.pk for r in latest_runs().values()]):
        entry = result.setdefault(
            line.service_month, {"month": line.service_month, "lines": [], "fund": 0, "personal": 0}
        )
        entry["lines"].append(line)
        entry["fund"] += line.fund_amount
        entry["personal"] += line.personal_amount
    return sorted(result.values(), key=lambda e: e["month"], reverse=True)[:limit]

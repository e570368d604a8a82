"""The monthly run (SPEC 7.2, 9): lock, compute, swap the month's draft atomically; states; export.

Kill-safe: everything is computed first and written in one transaction that replaces the month's
previous draft/audited version, so a crash leaves the previous state and a new run gives the result of
a clean run. A second start for the same month is refused by an advisory lock.
"""
import csv
import datetime as dt
import io
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from ltci.core.dates import month_end
from ltci.core.jobs import JobAlreadyRunning, job_finish, job_lock, job_progress, job_start
from ltci.core.models import JobRun
from ltci.core.money import ZERO, fen

from ..models import Appeal, Payout, SettlementLine, SettlementRun, Statement
from .audit import compute

JOB = "settlement"
EXPORT_HEADER = ["institution_code", "national_id", "care_form", "quantity", "charged_amount", "fund_amount",
                 "personal_amount", "rejected_amount", "reason_codes"]


class SettlementError(Exception):
    """A settlement action refused with a human-readable reason."""


def latest_run(month: dt.date) -> SettlementRun | None:
    return SettlementRun.objects.filter(month=month).order_by("-version").first()


def settlement_run(*, month: dt.date, actor=None) -> SettlementRun:
    """Run (or re-run) the month's settlement; refuse approved/paid months and concurrent starts."""
    period = f"{month:%Y-%m}"
    try:
        with job_lock(JOB, period):
            current = latest_run(month)
            if current and current.is_final:
                raise SettlementError(
                    f"the settlement of {period} is {current.state} (version {current.version}) and cannot be run "
                    "again: corrections are adjustment lines in a later month")
            JobRun.objects.filter(job=JOB, period=period, state=JobRun.State.RUNNING).update(
                state=JobRun.State.FAILED, message="interrupted (superseded by a new run)")
            job = job_start(JOB, period, actor=actor)
            try:
                result = compute(month)
                total = sum(len(line.records) for line in result.lines)
                job_progress(job, done=0, total=total)
                run = _write(month, result, actor=actor, job=job)
                job_progress(job, done=total)
            except Exception as exc:
                job_finish(job, state=JobRun.State.FAILED, message=str(exc)[:2000])
                raise
            job_finish(job, message=f"{run.line_count} lines, fund {run.fund_total}")
            return run
    except JobAlreadyRunning as exc:
        raise SettlementError(str(exc)) from None


def _copy(table: str, columns: list[str], rows) -> None:
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


@transaction.atomic
def _write(month: dt.date, result, *, actor, job) -> SettlementRun:
    previous = SettlementRun.objects.select_for_update().filter(month=month)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    stale = [r.pk for r in previous if not r.is_final]
    if stale:
        Appeal.objects.filter(settled_in_id__in=stale).update(settled_in=None)
        with connection.cursor() as cursor:
            for table in ("settlement_recordaudit", "settlement_payout", "settlement_statement",
                          "settlement_settlementline", "settlement_settlementrun"):
                column = "id" if table == "settlement_settlementrun" else "run_id"
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [stale])  # noqa: S608
    run = SettlementRun.objects.create(month=month, version=version, started_by=actor if getattr(actor, "pk", None)
                                       else None, job=job)
    lines = [SettlementLine(
        run=run, institution_id=line.institution_id, person_id=line.person_id, care_form=line.care_form,
        service_month=line.service_month, quantity=line.quantity, charged_amount=line.amounts.charged,
        fund_amount=line.amounts.fund, personal_amount=line.amounts.personal,
        rejected_amount=line.amounts.rejected, reason_codes=list(line.amounts.codes), is_late=line.is_late,
        details=line.details) for line in result.lines]
    lines += _adjustment_lines(run)
    SettlementLine.objects.bulk_create(lines, batch_size=5000)
    audit_rows = []
    for line, model in zip(result.lines, lines, strict=False):
        for r in line.records:
            audit_rows.append((run.pk, r.id, model.pk, [r.code] if r.code else [],
                               r.charged, r.base, r.rejected, (r.detail or "")[:300]))
    _copy("settlement_recordaudit", ["run_id", "record_id", "line_id", "codes", "charged_amount", "base_amount",
                                     "rejected_amount", "detail"], audit_rows)
    _statements(run, lines)
    payouts: dict[int, Decimal] = {}
    for line in lines:
        if line.institution_id is None:
            payouts[line.person_id] = payouts.get(line.person_id, ZERO) + line.fund_amount
    Payout.objects.bulk_create([Payout(run=run, person_id=p, amount=a) for p, a in payouts.items()], batch_size=5000)
    run.record_count = len(audit_rows)
    run.line_count = len(lines)
    run.fund_total = sum((line.fund_amount for line in lines), ZERO)
    run.save(update_fields=["record_count", "line_count", "fund_total"])
    return run


def _adjustment_lines(run: SettlementRun) -> list[SettlementLine]:
    """Upheld appeals of final earlier months not yet settled become adjustment lines of this run."""
    lines = []
    for appeal in (Appeal.objects.select_for_update().select_related("line")
                   .filter(state=Appeal.State.UPHELD, settled_in__isnull=True, line__run__month__lt=run.month)):
        amount = appeal.amount
        lines.append(SettlementLine(
            run=run, institution_id=appeal.line.institution_id, person_id=appeal.line.person_id,
            care_form=appeal.line.care_form, service_month=appeal.line.service_month, quantity=0,
            charged_amount=ZERO, fund_amount=amount, personal_amount=ZERO, rejected_amount=-amount,
            reason_codes=[], is_adjustment=True, adjusts=appeal.line, details={"appeal": appeal.pk}))
        appeal.settled_in = run
        appeal.save(update_fields=["settled_in"])
    return lines


def _statements(run: SettlementRun, lines: list[SettlementLine]) -> None:
    from institutions.selectors import agreement_days, recoverable_amounts
    from ltci.core.policy import NoPolicyInForce, policy_in_force

    totals: dict[int, dict] = {}
    for line in lines:
        if line.institution_id is None:
            continue
        t = totals.setdefault(line.institution_id, {"charged": ZERO, "fund": ZERO, "adjust": ZERO})
        if line.is_adjustment:
            t["adjust"] += line.fund_amount
        else:
            t["charged"] += line.charged_amount
            t["fund"] += line.fund_amount
    if not totals:
        return
    end = month_end(run.month)
    recover = recoverable_amounts(institution_ids=list(totals), until=end)
    periods = agreement_days(institution_ids=list(totals), start=run.month, end=end)
    try:
        default_rate = Decimal(policy_in_force("quality_deposit", on=end)["rate"])
    except NoPolicyInForce:
        default_rate = ZERO
    statements = []
    for institution_id, t in totals.items():
        agreements = periods.get(institution_id) or []
        rate = agreements[-1][2].deposit_rate if agreements and agreements[-1][2].deposit_rate is not None \
            else default_rate
        deposit = fen(t["fund"] * rate)
        recovered = recover.get(institution_id, ZERO)
        statements.append(Statement(
            run=run, institution_id=institution_id, charged_total=t["charged"], fund_payable=t["fund"],
            deposit_rate=rate, deposit_withheld=deposit, recovered=recovered, adjustments=t["adjust"],
            net_payable=t["fund"] - deposit - recovered + t["adjust"]))
    Statement.objects.bulk_create(statements)


# ---------------------------------------------------------------------------------------------------------
# Export (SPEC 11.5)


def export_rows(month: dt.date) -> list[list[str]]:
    """The lines of the month's latest run, sorted: payouts first, then institution code, ID, care form."""
    run = latest_run(month)
    if run is None:
        raise SettlementError(f"the settlement of {month:%Y-%m} has not been run: run "
                              f"`python manage.py run_settlement --month {month:%Y-%m}` first")
    rows = []
    for line in (SettlementLine.objects.filter(run=run)
                 .values_list("institution__code", "person__national_id", "care_form", "quantity", "charged_amount",
                              "fund_amount", "personal_amount", "rejected_amount", "reason_codes", "is_late",
                              "is_adjustment", "id")):
        rows.append(line)
    rows.sort(key=lambda r: (r[0] or "", r[1], r[2], r[9], r[10], r[11]))
    return [[code or "", nid, form, str(qty), f"{charged:.2f}", f"{fund:.2f}", f"{personal:.2f}", f"{rejected:.2f}",
             ";".join(codes or [])] for code, nid, form, qty, charged, fund, personal, rejected, codes, *_ in rows]


def export_csv(month: dt.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(export_rows(month))
    return out.getvalue()


def now():
    return timezone.now()


def mark_violations_deducted(run: SettlementRun) -> int:
    """Mark the violations whose amounts this approved run deducted (institutions' service)."""
    from institutions.services.oversight import violations_mark_deducted

    ids = list(run.statements.exclude(recovered=0).values_list("institution_id", flat=True))
    if not ids:
        return 0
    return violations_mark_deducted(institution_ids=ids, until=month_end(run.month), period=f"{run.month:%Y-%m}")


BANK_HEADER = ["payee_type", "payee_code", "payee_name", "bank_name", "bank_account", "amount", "reference"]


def bank_file(*, run: SettlementRun, actor=None) -> str:
    """The bank payment list (SPEC 10): institutions' net payable and persons' payouts; marks the export."""
    if not run.is_final:
        raise SettlementError(f"the settlement of {run.month:%Y-%m} is {run.state}: approve it before paying")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BANK_HEADER)
    for s in run.statements.select_related("institution").order_by("institution__code"):
        if s.net_payable > 0:
            writer.writerow(["institution", s.institution.code, s.institution.name, s.institution.bank_name,
                             s.institution.bank_account, f"{s.net_payable:.2f}", s.document_no])
    for p in run.payouts.select_related("person").order_by("person__national_id"):
        if p.amount > 0:
            writer.writerow(["person", p.person.national_id, p.person.name, "", "", f"{p.amount:.2f}",
                             f"BZ-{run.month:%Y%m}-{p.person_id}"])
    if run.bank_file_at is None:
        SettlementRun.objects.filter(pk=run.pk).update(bank_file_at=timezone.now())
        run.refresh_from_db()
    return out.getvalue()

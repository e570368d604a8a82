"""The monthly run (SPEC 7.2, 9): lock, compute, swap the month's draft atomically; states; export.

Kill-safe: everything is computed first and written in one transaction that replaces the month's
previous draft/audited version, so a crash leaves the previous state and a new run gives the result of
a clean run. A second start for the same month is refused by an advisory lock (job_lock). The write and
every state transition of the month's versions take the month's transaction lock (lock_month) first and
check again under it, so a run never writes beside a version approved while it computed.
"""

import datetime as dt
import os
import signal
import time
import zlib
from contextlib import contextmanager
from decimal import Decimal

from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ltci.core.dates import month_end
from ltci.core.exports import csv_text
from ltci.core.jobs import JobAlreadyRunning, job_finish, job_lock, job_progress, job_start
from ltci.core.models import JobRun
from ltci.core.money import ZERO, fen

from ..models import Appeal, Correction, Payout, SettlementLine, SettlementRun, Statement
from .audit import FINAL_SQL, compute
from .engine import copy_rows, drop_temp_tables, execute, fetch

JOB = "settlement"
EXPORT_HEADER = [
    "institution_code",
    "national_id",
    "care_form",
    "quantity",
    "charged_amount",
    "fund_amount",
    "personal_amount",
    "rejected_amount",
    "reason_codes",
]


class SettlementError(Exception):
    """A settlement action refused with a human-readable reason."""


MONTH_LOCK = zlib.crc32(b"settlement.month") - 2**31  # first key of pg_advisory_xact_lock(int, int)
FINAL_STATES = (SettlementRun.State.APPROVED, SettlementRun.State.PAID)


def latest_run(month: dt.date) -> SettlementRun | None:
    return SettlementRun.objects.filter(month=month).order_by("-version").first()


def final_run(month: dt.date) -> SettlementRun | None:
    """The month's approved or paid version (the database allows one)."""
    return SettlementRun.objects.filter(month=month, state__in=FINAL_STATES).first()


def lock_month(month: dt.date) -> None:
    """Wait for and hold the month's lock until the transaction ends: the run's write and every state
    transition of the month's versions take it first, so they happen one after the other."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_month needs a transaction (the lock is released when it ends)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK, month.year * 100 + month.month])


def _refuse_final(month: dt.date) -> None:
    final = final_run(month)
    if final:
        raise SettlementError(
            f"the settlement of {month:%Y-%m} is {final.state} (version {final.version}) and cannot be run "
            "again: corrections are adjustment lines in a later month"
        )


def refuse_unended(month: dt.date) -> None:
    """SPEC 7.2: a month is run only after it has ended (its last day before today, Asia/Shanghai)."""
    today = timezone.localdate()
    if month_end(month) >= today:
        raise SettlementError(
            _("%(month)s 尚未结束（今天是 %(today)s），只能结算已结束的月份")
            % {"month": f"{month:%Y-%m}", "today": today.isoformat()}
        )


def settlement_run(*, month: dt.date, actor=None) -> SettlementRun:
    """Run (or re-run) the month's settlement; refuse months not yet ended, approved/paid months and
    concurrent starts."""
    period = f"{month:%Y-%m}"
    refuse_unended(month)
    try:
        with job_lock(JOB, period):
            _refuse_final(month)
            JobRun.objects.filter(job=JOB, period=period, state=JobRun.State.RUNNING).update(
                state=JobRun.State.FAILED, message="interrupted (superseded by a new run)"
            )
            job = job_start(JOB, period, actor=actor)
            stages = _Stages(job)
            try:
                with _run_settings():
                    try:
                        result = compute(month, on_stage=stages)
                        total = result.record_count
                        stages("writing results", 0, total)
                        run = _write(month, result, actor=actor, job=job)
                    finally:
                        drop_temp_tables()
                stages.done()
                job_progress(job, done=total, total=total)
            except BaseException as exc:
                job_finish(job, state=JobRun.State.FAILED, message=str(exc)[:2000] or type(exc).__name__)
                raise
            job_finish(job, message=f"{run.line_count} lines, fund {run.fund_total}; {stages.summary()}")
            return run
    except JobAlreadyRunning as exc:
        raise SettlementError(str(exc)) from None


class _Stages:
    """Progress of a run for staff (JobRun: stage in the message, records done/total) and stage timings."""

    def __init__(self, job):
        self.job = job
        self.timings: list[tuple[str, float]] = []
        self._name, self._start = None, time.perf_counter()

    def __call__(self, name: str, done: int, total: int) -> None:
        self.done()
        self._name, self._start = name, time.perf_counter()
        JobRun.objects.filter(pk=self.job.pk).update(message=name, done=done, total=total)

    def done(self) -> None:
        if self._name:
            self.timings.append((self._name, time.perf_counter() - self._start))
            self._name = None

    def summary(self) -> str:
        return ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.timings)


@contextmanager
def _run_settings():
    """The run's few big queries are planned once: PostgreSQL's JIT compile costs more than it saves, and
    their sorts, hashes and temporary tables of a month's records fit in memory (work_mem, temp_buffers)."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("SET work_mem = '256MB'")
    try:  # temp_buffers can only be set before the session's first temporary table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET temp_buffers = '512MB'")
    except DatabaseError:
        pass  # a later run of the session: the value set by its first run holds
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET jit")
            cursor.execute("RESET work_mem")


LINE_COLUMNS = [
    "id",
    "run_id",
    "institution_id",
    "person_id",
    "care_form",
    "service_month",
    "quantity",
    "charged_amount",
    "fund_amount",
    "personal_amount",
    "rejected_amount",
    "reason_codes",
    "is_late",
    "is_adjustment",
    "adjusts_id",
    "details",
]


def _copy_lines(lines: list[SettlementLine]) -> None:
    """COPY the lines with ids drawn from their sequence first (the record audits point at them); a
    bulk INSERT with 16 parameters a line costs far more in query building than the rows themselves."""
    from psycopg.types.json import Jsonb

    if not lines:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('settlement_settlementline', 'id')) "
            "FROM generate_series(1, %s)",
            [len(lines)],
        )
        for line, (pk,) in zip(lines, cursor.fetchall(), strict=True):
            line.pk = pk
    copy_rows(
        "settlement_settlementline",
        LINE_COLUMNS,
        (
            (
                x.pk,
                x.run_id,
                x.institution_id,
                x.person_id,
                x.care_form,
                x.service_month,
                x.quantity,
                x.charged_amount,
                x.fund_amount,
                x.personal_amount,
                x.rejected_amount,
                list(x.reason_codes or []),
                x.is_late,
                x.is_adjustment,
                x.adjusts_id,
                Jsonb(x.details or {}),
            )
            for x in lines
        ),
    )


AUDITS_SQL = f"""
INSERT INTO settlement_recordaudit (run_id, record_id, line_id, codes, charged_amount, base_amount, rejected_amount,
                                    detail)
SELECT %(run)s, f.id, l.id, CASE WHEN f.code IS NULL THEN '{{}}'::varchar[] ELSE ARRAY[f.code]::varchar[] END,
       f.charged, f.base, f.charged - f.base, left(f.detail, 300)
FROM ({FINAL_SQL}) f
JOIN st_line l ON l.institution_id = f.institution_id AND l.person_id = f.person_id AND l.form = f.form
     AND l.service_month = f.service_month AND l.late = f.late
"""  # noqa: S608 (constants of the code, no input)

LINES_INSERT_SQL = """
INSERT INTO settlement_settlementline (id, run_id, institution_id, person_id, care_form, service_month, quantity,
    charged_amount, fund_amount, personal_amount, rejected_amount, reason_codes, is_late, is_adjustment, details)
SELECT id, %(run)s, institution_id, person_id, form, service_month, quantity, charged, fund, personal, rejected,
       codes, late, false, jsonb_build_object('classes', to_jsonb(classes))
FROM st_line
"""


@transaction.atomic
def _write(month: dt.date, result, *, actor, job) -> SettlementRun:
    lock_month(month)
    _refuse_final(month)  # approved while this run computed
    previous = SettlementRun.objects.select_for_update().filter(month=month)
    version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    stale = [r.pk for r in previous if not r.is_final]
    if stale:
        Appeal.objects.filter(settled_in_id__in=stale).update(settled_in=None)
        Correction.objects.filter(settled_in_id__in=stale).update(settled_in=None)
        for table in (
            "settlement_recordaudit",
            "settlement_payout",
            "settlement_statement",
            "settlement_settlementline",
            "settlement_settlementrun",
        ):
            column = "id" if table == "settlement_settlementrun" else "run_id"
            execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [stale])  # noqa: S608
    run = SettlementRun.objects.create(
        month=month, version=version, started_by=actor if getattr(actor, "pk", None) else None, job=job
    )
    lines = [
        SettlementLine(
            run=run,
            institution_id=line.institution_id,
            person_id=line.person_id,
            care_form=line.care_form,
            service_month=line.service_month,
            quantity=line.quantity,
            charged_amount=line.amounts.charged,
            fund_amount=line.amounts.fund,
            personal_amount=line.amounts.personal,
            rejected_amount=line.amounts.rejected,
            reason_codes=list(line.amounts.codes),
            is_late=line.is_late,
            details=line.details,
        )
        for line in result.allowance_lines
    ]
    lines += _adjustment_lines(run)
    _copy_lines(lines)
    execute(LINES_INSERT_SQL, {"run": run.pk})
    audit_count = execute(AUDITS_SQL, {"run": run.pk})
    if os.environ.get("LTCI_TEST_KILL_IN_WRITE"):  # tests/settlement/test_kill.py: a real kill mid-write
        os.kill(os.getpid(), signal.SIGKILL)
    _statements(run)
    Payout.objects.bulk_create(
        [
            Payout(run=run, person_id=p, amount=a)
            for p, a in fetch(
                "SELECT person_id, sum(fund_amount) FROM settlement_settlementline WHERE run_id = %s "
                "AND institution_id IS NULL GROUP BY person_id ORDER BY person_id",
                [run.pk],
            )
        ],
        batch_size=5000,
    )
    run.record_count = audit_count
    run.line_count, run.fund_total = fetch(
        "SELECT count(*), coalesce(sum(fund_amount), 0) FROM settlement_settlementline WHERE run_id = %s",
        [run.pk],
    )[0]
    run.save(update_fields=["record_count", "line_count", "fund_total"])
    return run


def _adjustment_lines(run: SettlementRun) -> list[SettlementLine]:
    """Upheld appeals and staff corrections of final earlier months not yet settled become adjustment lines
    of this run (charged 0, fund +amount, rejected -amount: the identity holds)."""
    lines = []
    for appeal in (
        Appeal.objects.select_for_update()
        .select_related("line")
        .filter(state=Appeal.State.UPHELD, settled_in__isnull=True, line__run__month__lt=run.month)
    ):
        amount = appeal.amount
        lines.append(
            SettlementLine(
                run=run,
                institution_id=appeal.line.institution_id,
                person_id=appeal.line.person_id,
                care_form=appeal.line.care_form,
                service_month=appeal.line.service_month,
                quantity=0,
                charged_amount=ZERO,
                fund_amount=amount,
                personal_amount=ZERO,
                rejected_amount=-amount,
                reason_codes=[],
                is_adjustment=True,
                adjusts=appeal.line,
                details={"appeal": appeal.pk},
            )
        )
        appeal.settled_in = run
        appeal.save(update_fields=["settled_in"])
    for correction in (
        Correction.objects.select_for_update()
        .select_related("line")
        .filter(settled_in__isnull=True, line__run__month__lt=run.month)
        .order_by("id")
    ):
        amount = correction.amount
        lines.append(
            SettlementLine(
                run=run,
                institution_id=correction.line.institution_id,
                person_id=correction.line.person_id,
                care_form=correction.line.care_form,
                service_month=correction.line.service_month,
                quantity=0,
                charged_amount=ZERO,
                fund_amount=amount,
                personal_amount=ZERO,
                rejected_amount=-amount,
                reason_codes=[],
                is_adjustment=True,
                adjusts=correction.line,
                details={"correction": correction.pk},
            )
        )
        correction.settled_in = run
        correction.save(update_fields=["settled_in"])
    return lines


def _statements(run: SettlementRun) -> None:
    from institutions.models import Violation
    from institutions.selectors import agreement_days
    from ltci.core.policy import NoPolicyInForce, policy_in_force

    totals = {
        institution_id: {"charged": charged, "fund": fund, "adjust": adjust}
        for institution_id, charged, fund, adjust in fetch(
            """
        SELECT institution_id, coalesce(sum(charged_amount) FILTER (WHERE NOT is_adjustment), 0),
               coalesce(sum(fund_amount) FILTER (WHERE NOT is_adjustment), 0),
               coalesce(sum(fund_amount) FILTER (WHERE is_adjustment), 0)
        FROM settlement_settlementline WHERE run_id = %s AND institution_id IS NOT NULL
        GROUP BY institution_id ORDER BY institution_id""",
            [run.pk],
        )
    }
    if not totals:
        return
    end = month_end(run.month)
    recover: dict[int, list[tuple[int, Decimal]]] = {}
    for institution_id, pk, amount, penalty in (
        Violation.objects.filter(institution_id__in=list(totals), found_on__lte=end, deducted_in="")
        .values_list("institution_id", "id", "amount_to_recover", "penalty")
        .order_by("id")
    ):
        if amount + penalty:
            recover.setdefault(institution_id, []).append((pk, amount + penalty))
    periods = agreement_days(institution_ids=list(totals), start=run.month, end=end)
    try:
        default_rate = Decimal(policy_in_force("quality_deposit", on=end)["rate"])
    except NoPolicyInForce:
        default_rate = ZERO
    owed = _negative_statements(run, list(totals))
    statements = []
    for institution_id, t in totals.items():
        agreements = periods.get(institution_id) or []
        rate = (
            agreements[-1][2].deposit_rate
            if agreements and agreements[-1][2].deposit_rate is not None
            else default_rate
        )
        deposit = fen(t["fund"] * rate)
        violations = recover.get(institution_id, [])
        recovered = sum((amount for _, amount in violations), ZERO)
        carried_from, carried = owed.get(institution_id, (None, ZERO))
        statements.append(
            Statement(
                run=run,
                institution_id=institution_id,
                charged_total=t["charged"],
                fund_payable=t["fund"],
                deposit_rate=rate,
                deposit_withheld=deposit,
                recovered=recovered,
                adjustments=t["adjust"],
                carried=carried,
                carried_from_id=carried_from,
                net_payable=t["fund"] - deposit - recovered + t["adjust"] + carried,
                violation_ids=[pk for pk, _ in violations],
            )
        )
    Statement.objects.bulk_create(statements)


def _negative_statements(run: SettlementRun, institution_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """Per institution, its latest statement of an approved or paid earlier month when that statement's net
    payable is negative (recoveries above the fund's payment): carried into this statement, once."""
    owed = {}
    latest = (
        Statement.objects.filter(
            institution_id__in=institution_ids,
            run__month__lt=run.month,
            run__state__in=[SettlementRun.State.APPROVED, SettlementRun.State.PAID],
        )
        .order_by("institution_id", "-run__month", "-run__version")
        .distinct("institution_id")
        .values_list("institution_id", "id", "net_payable")
    )
    for institution_id, pk, net in latest:
        if net < 0:
            owed[institution_id] = (pk, net)
    return owed


def carried_elsewhere(run: SettlementRun) -> list[int]:
    """Negative statements this run carries that another approved month has carried meanwhile."""
    ids = [pk for pk in run.statements.exclude(carried_from=None).values_list("carried_from_id", flat=True)]
    return list(
        Statement.objects.filter(
            carried_from_id__in=ids, run__state__in=[SettlementRun.State.APPROVED, SettlementRun.State.PAID]
        )
        .exclude(run=run)
        .values_list("carried_from_id", flat=True)
    )


# ---------------------------------------------------------------------------------------------------------
# Export (SPEC 11.5)


def export_rows(month: dt.date) -> list[list[str]]:
    """The lines of the month's latest run, sorted: payouts first, then institution code, ID, care form."""
    run = latest_run(month)
    if run is None:
        raise SettlementError(
            f"the settlement of {month:%Y-%m} has not been run: run "
            f"`python manage.py run_settlement --month {month:%Y-%m}` first"
        )
    rows = []
    for line in SettlementLine.objects.filter(run=run).values_list(
        "institution__code",
        "person__national_id",
        "care_form",
        "quantity",
        "charged_amount",
        "fund_amount",
        "personal_amount",
        "rejected_amount",
        "reason_codes",
        "is_late",
        "is_adjustment",
        "id",
    ):
        rows.append(line)
    rows.sort(key=lambda r: (r[0] or "", r[1], r[2], r[9], r[10], r[11]))
    return [
        [
            code or "",
            nid,
            form,
            str(qty),
            f"{charged:.2f}",
            f"{fund:.2f}",
            f"{personal:.2f}",
            f"{rejected:.2f}",
            ";".join(codes or []),
        ]
        for code, nid, form, qty, charged, fund, personal, rejected, codes, *_ in rows
    ]


def export_csv(month: dt.date) -> str:
    return csv_text([EXPORT_HEADER, *export_rows(month)])


def now():
    return timezone.now()


def deducted_elsewhere(run: SettlementRun) -> list[int]:
    """Violations this run's statements deduct that another approved month has deducted meanwhile."""
    from institutions.models import Violation

    ids = [pk for ids in run.statements.values_list("violation_ids", flat=True) for pk in ids]
    return list(Violation.objects.filter(pk__in=ids).exclude(deducted_in="").values_list("pk", flat=True))


def mark_violations_deducted(run: SettlementRun) -> int:
    """Mark the violations whose amounts this approved run deducted (institutions' service)."""
    from institutions.services.oversight import violations_mark_deducted

    rows = list(run.statements.exclude(violation_ids=[]).values_list("institution_id", "violation_ids"))
    if not rows:
        return 0
    return violations_mark_deducted(
        institution_ids=[i for i, _ in rows],
        until=month_end(run.month),
        period=f"{run.month:%Y-%m}",
        ids=[pk for _, ids in rows for pk in ids],
    )


BANK_HEADER = ["payee_type", "payee_code", "payee_name", "bank_name", "bank_account", "amount", "reference"]


def bank_rows(run: SettlementRun) -> list[list[str]]:
    """The payments of a final run: institutions' net payable, then persons' payouts (positive amounts)."""
    rows = []
    for s in run.statements.select_related("institution", "run").order_by("institution__code"):
        if s.net_payable > 0:
            rows.append(
                [
                    "institution",
                    s.institution.code,
                    s.institution.name,
                    s.institution.bank_name,
                    s.institution.bank_account,
                    f"{s.net_payable:.2f}",
                    s.document_no,
                ]
            )
    for p in run.payouts.select_related("person").order_by("person__national_id"):
        if p.amount > 0:
            rows.append(
                [
                    "person",
                    p.person.national_id,
                    p.person.name,
                    "",
                    "",
                    f"{p.amount:.2f}",
                    f"BZ-{run.month:%Y%m}-{p.person_id}",
                ]
            )
    return rows


def bank_file(*, run: SettlementRun, actor=None) -> str:
    """The bank payment list (SPEC 10): institutions' net payable and persons' payouts; marks the export."""
    if not run.is_final:
        raise SettlementError(f"the settlement of {run.month:%Y-%m} is {run.state}: approve it before paying")
    text = csv_text([BANK_HEADER, *bank_rows(run)])
    if run.bank_file_at is None:
        SettlementRun.objects.filter(pk=run.pk).update(bank_file_at=timezone.now())
        run.refresh_from_db()
    return text

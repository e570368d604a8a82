"""The monthly settlement run (SPEC 7.2, 9) and what staff do with its versions: export, bank file.

The run is a pipeline of four stages, one module each, working in temporary tables of the run's database
session (``run_pipeline`` below reads top to bottom):

1. ``stage.py``: the month's records and the facts they are audited against (eligibility, agreements, beds,
   caregivers, standards);
2. ``audit.py``: each record's first failing rule, from the one declared list of rules;
3. ``price.py``: the accepted part of each record priced into lines, and the allowances;
4. ``write.py``: the lines, record audits, statements and payouts stored as the month's new version.

Kill-safe: everything is computed first and written in one transaction that replaces the month's
previous draft/audited version, so a crash leaves the previous state and a new run gives the result of
a clean run. A second start for the same month is refused by an advisory lock (job_lock). The write and
every state transition of the month's versions take the month's transaction lock (``months.lock_month``)
first and check again under it, so a run never writes beside a version approved while it computed.
"""

import datetime as dt
import time
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ltci.core.dates import month_end
from ltci.core.exports import csv_text
from ltci.core.formatting import money
from ltci.core.jobs import (
    JobAlreadyRunning,
    JobMessage,
    job_finish,
    job_lock,
    job_progress,
    job_start,
    job_text,
    jobs_running,
)
from ltci.core.models import JobRun
from ltci.core.sql import drop_tables

from ..models import SettlementLine, SettlementRun, Statement
from . import audit, price, stage, write
from .months import (  # noqa: F401 - the month's versions and lock, used by states.py, admin, tasks, demo
    FINAL_STATES,
    MONTH_LOCK,
    SettlementError,
    final_run,
    latest_run,
    lock_month,
    refuse_final,
)

JOB = "settlement"
TEMP_TABLES = stage.TEMP_TABLES + audit.TEMP_TABLES + price.TEMP_TABLES
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


def refuse_unended(month: dt.date) -> None:
    """SPEC 7.2: a month is run only after it has ended (its last day before today, Asia/Shanghai)."""
    today = timezone.localdate()
    if month_end(month) >= today:
        raise SettlementError(
            _("%(month)s 尚未结束（今天是 %(today)s），只能结算已结束的月份")
            % {"month": f"{month:%Y-%m}", "today": today.isoformat()}
        )


def settlement_run(*, month: dt.date, actor=None, job: JobRun | None = None) -> SettlementRun:
    """Run (or re-run) the month's settlement; refuse months not yet ended, approved/paid months and
    concurrent starts. ``job``: the run queued by a staff page (``job_queue``), which this run fills in."""
    period = f"{month:%Y-%m}"
    refuse_unended(month)
    write.ensure_month_partitions(month)
    try:
        with job_lock(JOB, period):
            refuse_final(month)
            jobs_running(JOB, period, besides=job).update(
                state=JobRun.State.FAILED, message=gettext_noop("已中断（被新的一次运行取代）")
            )
            job = job or job_start(JOB, period, actor=actor)
            stages = _Stages(job)
            try:
                with _run_settings():
                    try:
                        run, total = run_pipeline(month, progress=stages, actor=actor, job=job)
                    finally:
                        drop_tables(TEMP_TABLES)
                stages.done()
                job_progress(job, done=total, total=total)
            except BaseException as exc:
                job_finish(job, state=JobRun.State.FAILED, message=str(exc)[:2000] or type(exc).__name__)
                raise
            job_finish(
                job,
                message=job_text(
                    gettext_noop(
                        "共 %(lines)s 条结算明细，基金支付 %(fund)s；用时 %(seconds)s 秒：%(stages)s"
                    ),
                    lines=f"{run.line_count:,}",
                    fund=money(run.fund_total),
                    seconds=f"{stages.seconds():.1f}",
                    stages=stages.summary(),
                ),
            )
            return run
    except JobAlreadyRunning as exc:
        raise SettlementError(str(exc)) from None


def run_pipeline(month: dt.date, *, progress, actor, job) -> tuple[SettlementRun, int]:
    """Stage, audit, price and write the month; return the new version and the number of records it took.
    ``progress(stage)`` is called as each stage (one of STAGES) starts (shown to staff)."""
    drop_tables(TEMP_TABLES)
    progress(STAGES[0])
    scope = stage.stage_records(month)
    total = scope.count
    progress(STAGES[1])
    segments = stage.stage_eligibility(month, scope)
    progress(STAGES[2])
    standards = stage.stage_institution_facts(month, scope, segments)
    progress(STAGES[3])
    audit.audit_records(month, segments)
    progress(STAGES[4])
    price.price_lines(month, segments, standards)
    allowances = price.allowance_lines(month, segments, standards)
    progress(STAGES[5])
    return write.write_run(month, allowances, actor=actor, job=job), total


# The stages of a run as staff see them on the job's page (msgids: the page translates them).
STAGES = (
    gettext_noop("读取服务记录"),
    gettext_noop("判定待遇资格"),
    gettext_noop("核对机构信息"),
    gettext_noop("审核服务记录"),
    gettext_noop("计算结算明细"),
    gettext_noop("写入结算结果"),
)


class _Stages:
    """Progress of a run for staff (JobRun: the stage in the message, stages done/total for the progress bar;
    once done, records done/total) and stage timings."""

    def __init__(self, job):
        self.job = job
        self.timings: list[tuple[str, float]] = []
        self._name, self._start = None, time.perf_counter()

    def __call__(self, name: str) -> None:
        self.done()
        self._name, self._start = name, time.perf_counter()
        JobRun.objects.filter(pk=self.job.pk).update(message=name, done=STAGES.index(name), total=len(STAGES))

    def done(self) -> None:
        if self._name:
            self.timings.append((self._name, time.perf_counter() - self._start))
            self._name = None

    def seconds(self) -> float:
        return sum(seconds for _name, seconds in self.timings)

    def summary(self) -> list[JobMessage]:
        """The stages' timings: 读取服务记录 0.3 秒、判定待遇资格 1.2 秒…"""
        return [
            job_text(gettext_noop("%(stage)s %(seconds)s 秒"), stage=job_text(name), seconds=f"{seconds:.1f}")
            for name, seconds in self.timings
        ]


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


def bank_rows(run: SettlementRun) -> list[list[str]]:
    """The payments of a final run for the payment list PDF: institutions' net payable, then persons' payouts
    (positive amounts), each with the payee's current bank account (services.payments)."""
    from .payments import current_account

    rows = []
    for s in run.statements.select_related("institution", "run").order_by("institution__code"):
        if s.net_payable > 0:
            account = current_account(institution=s.institution)
            rows.append(
                [
                    "institution",
                    s.institution.code,
                    s.institution.name,
                    account.bank_name if account else "",
                    account.account_no if account else "",
                    f"{s.net_payable:.2f}",
                    s.document_no,
                ]
            )
    for p in run.payouts.select_related("person").order_by("person__national_id"):
        if p.amount > 0:
            account = current_account(person=p.person)
            rows.append(
                [
                    "person",
                    p.person.national_id,
                    p.person.name,
                    account.bank_name if account else "",
                    account.masked_no if account else "",
                    f"{p.amount:.2f}",
                    f"BZ-{run.month:%Y%m}-{p.person_id}",
                ]
            )
    return rows

"""Issue 20: the yearly contribution run and the monthly settlement fanned out to real Celery workers.

Three `celery -A ltci worker` processes run on the test database and the test Redis database (the worker
settings of a deployment: acks_late, prefetch 1; a short visibility timeout so that a dead worker's chunk
comes back within seconds). Each run through them is compared with the same run in-process, done first in
a transaction rolled back afterwards (so the workers start from the same committed data): identical rows
and sums. One worker is then killed with SIGKILL while it holds a chunk: the test holds every chunk's own
lock (ltci.core.fanout.chunk_lock) from a connection of its own, waits until a worker has taken a chunk (its
host:pid on the chunk), kills that worker, then lets the chunks go; the run still finishes, equal to the
in-process run, and the killed worker's chunk was done by another worker.

Nothing is timed: every wait polls the database for a condition, with a generous timeout as a failure guard.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from enrollment.models import Contribution, ContributionTransaction, FundIncome
from enrollment.services.run import contribution_fanout, contribution_run_year
from ltci.core.fanout import chunk_lock_sql
from ltci.core.jobs import job_start
from ltci.core.models import JobChunk, JobRun
from settlement.models import Payout, RecordAudit, SettlementLine, SettlementRun, Statement
from settlement.services.fanout import settlement_fanout
from settlement.services.run import settlement_run

from ..outside import ROOT, TIMEOUT, connect, db_url
from .conftest import CAREGIVER, CAREGIVER2, D, bed_days, new_id, stored_unchecked, visit

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]
YEAR, ON = 2026, dt.date(2026, 2, 10)
MONTH = D(2024, 5, 1)
POLL = 0.1


class Workers:
    """Celery worker processes (solo pool: the process that takes a task is the one that runs it)."""

    def __init__(self, count: int):
        import redis

        broker = settings.CELERY_BROKER_URL
        # nothing left in the test Redis database by earlier tests or runs: no queued or unacknowledged task
        redis.Redis.from_url(broker).delete("celery", "unacked", "unacked_index", "unacked_mutex")
        env = {
            **os.environ,
            "DATABASE_URL": db_url(),
            "REDIS_URL": broker,
            "DJANGO_SETTINGS_MODULE": "ltci.settings.local",
            "JOBS_FAN_OUT": "true",
            "CELERY_VISIBILITY_TIMEOUT": "5",
            "CELERY_RESTORE_INTERVAL": "1",
            "CELERY_RESTORE_THROTTLE": "1",
        }
        self.logs = [tempfile.TemporaryFile(mode="w+") for _ in range(count)]  # noqa: SIM115 - closed in stop()
        self.processes = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and Celery app
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "ltci",
                    "worker",
                    "--pool",
                    "solo",
                    "--prefetch-multiplier",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                    "-n",
                    f"fanout{n}-{os.getpid()}@%h",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            for n, log in enumerate(self.logs)
        ]

    def by_pid(self, pid: int) -> subprocess.Popen:
        return next(p for p in self.processes if p.pid == pid)

    def output(self) -> str:
        texts = []
        for log in self.logs:
            log.seek(0)
            texts.append(log.read()[-4000:])
        return "\n----\n".join(texts)

    def stop(self) -> None:
        for p in self.processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processes:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(TIMEOUT)
        for log in self.logs:
            log.close()


@pytest.fixture
def workers():
    started = Workers(3)
    yield started
    started.stop()


def wait_for(condition, what: str, workers: Workers):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(POLL)
    pytest.fail(f"timed out waiting for {what}\n{workers.output()}")


def finished(run: JobRun, workers: Workers) -> JobRun:
    def done():
        run.refresh_from_db()
        return run.state != JobRun.State.RUNNING

    wait_for(done, f"run {run} to finish", workers)
    assert run.state == JobRun.State.DONE, (run.message, workers.output())
    return run


def in_process(snapshot, run) -> tuple:
    """The in-process run's result, then rolled back: the workers start from the same data."""
    with transaction.atomic():
        run()
        result = snapshot()
        transaction.set_rollback(True)
    return result


# ---------------------------------------------------------------------------------------------------------
# The yearly contribution run


def contributions() -> dict:
    def amounts(qs, *fields):
        return sorted(tuple(str(v) for v in row) for row in qs.values_list(*fields))

    return {
        "contributions": amounts(
            Contribution.objects.filter(year=YEAR),
            "person__national_id",
            "insurance_type",
            "region_code",
            "total_amount",
            "individual_amount",
            "pooled_fund_amount",
            "fiscal_amount",
            "employer_amount",
            "subsidised",
            "subsidy_category",
            "individual_paid",
            "status",
            "due_by",
            "fully_paid_on",
            "booked_on",
        ),
        "transactions": amounts(
            ContributionTransaction.objects.filter(contribution__year=YEAR),
            "contribution__person__national_id",
            "kind",
            "amount",
            "occurred_on",
            "channel",
        ),
        "fund income": amounts(
            FundIncome.objects.filter(year=YEAR), "source", "region_code", "headcount", "amount"
        ),
    }


@pytest.fixture
def city(world):
    """Persons of several kinds: residents paying on time, employees with an account balance, subsidised."""
    world.persons(
        [{"national_id": new_id(), "categories": "medical_aid" if n % 4 == 0 else ""} for n in range(9)]
        + [
            {"national_id": new_id(), "insurance_type": "employee", "has_personal_account": "true"}
            for _ in range(4)
        ]
    )
    return world


def test_the_yearly_run_on_three_workers_equals_the_run_in_process(city, workers):
    expected = in_process(contributions, lambda: contribution_run_year(year=YEAR, on=ON, chunk_size=3))
    assert expected["contributions"] and expected["fund income"]

    run = contribution_fanout(year=YEAR, on=ON, chunk_size=3)
    assert run.params["fanout"] > 3
    finished(run, workers)

    assert contributions() == expected
    chunks = JobChunk.objects.filter(run=run)
    assert set(chunks.values_list("state", flat=True)) == {JobChunk.State.DONE}
    assert run.done == run.total == sum(chunks.values_list("done", flat=True))  # progress adds up


def hold_chunks(run: JobRun):
    """A connection of the test holding every chunk's own lock of the run: a worker taking a chunk records
    itself on it, then waits for the test."""
    holder = connect()
    for n in range(50):
        holder.execute(chunk_lock_sql("pg_advisory_lock"), [run.pk, n])
    return holder


def kill_the_worker_holding_a_chunk(run: JobRun, workers: Workers, holder) -> tuple[JobChunk, int]:
    def taken():
        return JobChunk.objects.filter(run=run, state=JobChunk.State.RUNNING).exclude(worker="").first()

    chunk = wait_for(taken, "a worker to take a chunk", workers)
    victim = workers.by_pid(int(chunk.worker.rsplit(":", 1)[1]))
    victim.send_signal(signal.SIGKILL)
    victim.wait(TIMEOUT)
    holder.close()  # the chunks go on; the dead worker's chunk comes back to the queue
    return chunk, victim.pid


def test_the_yearly_run_queued_as_the_admin_does_survives_a_killed_worker(city, workers):
    from enrollment.tasks import contribution_run_year as task

    expected = in_process(contributions, lambda: contribution_run_year(year=YEAR, on=ON))
    run = job_start("contribution_run", str(YEAR))
    holder = hold_chunks(run)
    task.delay(YEAR, ON.isoformat(), job_id=run.pk)  # the worker that takes it fans the run out
    chunk, killed = kill_the_worker_holding_a_chunk(run, workers, holder)

    finished(run, workers)
    assert contributions() == expected
    chunk.refresh_from_db()
    assert chunk.state == JobChunk.State.DONE and chunk.attempts >= 2
    assert int(chunk.worker.rsplit(":", 1)[1]) != killed


# ---------------------------------------------------------------------------------------------------------
# The monthly settlement


def settlement() -> dict:
    run = SettlementRun.objects.filter(month=MONTH).order_by("-version").first()
    assert run is not None
    lines = SettlementLine.objects.filter(run=run)
    return {
        "totals": (run.record_count, run.line_count, run.fund_total),
        "lines": sorted(
            tuple(str(v) for v in row)
            for row in lines.values_list(
                "institution__code",
                "person__national_id",
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
                "details",
            )
        ),
        "audits": sorted(
            tuple(str(v) for v in row)
            for row in RecordAudit.objects.filter(run=run).values_list(
                "record_id",
                "codes",
                "charged_amount",
                "base_amount",
                "rejected_amount",
                "detail",
                "line__person__national_id",
                "line__care_form",
            )
        ),
        "statements": sorted(
            tuple(str(v) for v in row)
            for row in Statement.objects.filter(run=run).values_list(
                "institution__code",
                "charged_total",
                "fund_payable",
                "deposit_withheld",
                "recovered",
                "adjustments",
                "carried",
                "net_payable",
            )
        ),
        "payouts": sorted(
            (nid, str(amount))
            for nid, amount in Payout.objects.filter(run=run).values_list("person__national_id", "amount")
        ),
    }


@pytest.fixture
def may(world):
    """A month with beds over their registered number (BED replayed across persons), a caregiver's
    overlapping visits across persons (CAREGIVER), family-care allowances and ordinary bed-days."""
    from benefits.models import Admission
    from institutions.models import Bed, Institution

    beds = [world.beneficiary(form="residential", institution="YL001") for _ in range(5)]
    # one of the five beds registered to another institution: five residents on four registered beds
    Bed.objects.filter(pk=Admission.objects.get(person__national_id=beds[2]).bed_id).update(
        institution=Institution.objects.get(code="YL002"), label="YL001-借用"
    )
    for n, nid in enumerate(beds):
        world.records(bed_days("YL001", nid, D(2024, 5, 1 + n), D(2024, 5, 20)))
    other = world.beneficiary(form="residential", institution="YL002")
    world.records(bed_days("YL002", other, D(2024, 5, 1), D(2024, 5, 31), charge="70.00"))
    visited = [world.beneficiary(form="home_visits", institution="JJ001") for _ in range(3)]
    world.records(
        [visit("JJ001", nid, f"2024-05-{10 + n:02d}", "80.00", CAREGIVER) for n, nid in enumerate(visited)]
        + [visit("JJ001", visited[2], f"2024-05-{d:02d}", "120.00", CAREGIVER2) for d in range(1, 28, 2)]
    )
    # the caregiver at two persons at once: refused at entry, stored below the entry checks (as before them)
    stored_unchecked(
        [visit("JJ001", visited[1], "2024-05-10", "80.00", CAREGIVER, start="09:30", end="10:30")]
    )
    for _ in range(2):
        world.beneficiary(form="home_family", institution="JJ001", carer_trained="true")
    return world


def test_a_settlement_on_three_workers_equals_the_run_in_process(may, workers, admin_client):
    expected = in_process(settlement, lambda: settlement_run(month=MONTH))
    assert expected["lines"] and expected["audits"] and expected["statements"] and expected["payouts"]
    assert Decimal(expected["totals"][2]) > 0
    # the rules that span persons occur: registered beds exceeded, a caregiver's overlapping visits
    assert {"BED", "CAREGIVER"} <= {
        code for line in expected["lines"] for code in line[9].strip("[]'").split("', '")
    }

    run = settlement_fanout(month=MONTH, chunk_persons=2)
    assert run.params["fanout"] >= 3
    finished(run, workers)

    assert settlement() == expected
    assert SettlementRun.objects.get().job_id == run.pk
    assert run.done == run.total == expected["totals"][0]  # records done, added up across chunks
    page = admin_client.get(reverse("admin:core_jobrun_change", args=[run.pk])).content.decode()
    assert 'id="job-chunks"' in page and 'data-state="done"' in page
    assert all(chunk.worker in page for chunk in JobChunk.objects.filter(run=run))


def test_a_worker_killed_holding_a_chunk_its_chunk_is_taken_by_another(may, workers):
    expected = in_process(settlement, lambda: settlement_run(month=MONTH))
    run = job_start("settlement", "2024-05")
    holder = hold_chunks(run)
    settlement_fanout(month=MONTH, chunk_persons=2, job=run)
    chunk, killed = kill_the_worker_holding_a_chunk(run, workers, holder)

    finished(run, workers)
    assert settlement() == expected
    chunk.refresh_from_db()
    assert chunk.state == JobChunk.State.DONE and chunk.attempts >= 2
    assert int(chunk.worker.rsplit(":", 1)[1]) != killed
    assert SettlementRun.objects.count() == 1

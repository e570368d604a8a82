"""Celery tasks (SPEC 9): take plain values, call one service, safe to run twice."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ltci.core.fanout import CHUNK_TASK


@shared_task(name="settlement.tasks.settlement_run_month")
def settlement_run_month(month: str, job_id: int | None = None) -> str:
    """Run the settlement of a month (YYYY-MM); a second start while one runs is refused by the lock.
    ``job_id``: the job a staff page queued (ltci.core.jobs.job_queue), whose page shows the progress."""
    from ltci.core.dates import parse_month
    from ltci.core.jobs import job_run

    from .services.fanout import settlement_fanout
    from .services.run import JOB, settlement_run

    def work(job) -> str:
        actor = job.started_by if job else None
        if settings.JOBS_FAN_OUT:
            fanned = settlement_fanout(month=parse_month(month), actor=actor, job=job)
            return f"{month}: fanned out in {fanned.params['fanout']} chunks"
        run = settlement_run(month=parse_month(month), actor=actor, job=job)
        return f"{run.month:%Y-%m} v{run.version}: {run.line_count} lines, fund {run.fund_total}"

    return job_run(job_id, work, job_prefix=JOB)


@shared_task(name="settlement.tasks.settlement_chunk", **CHUNK_TASK)
def settlement_chunk(run_id: int, number: int) -> str:
    """One chunk of persons of a fanned-out monthly settlement (services.fanout); the last one writes the
    month's version."""
    from ltci.core.fanout import chunk_run

    from .services.fanout import chunk_compute, finish

    return chunk_run(int(run_id), int(number), compute=chunk_compute, finish=finish)


@shared_task(name="settlement.tasks.fund_disclosure_pdf")
def fund_disclosure_pdf(year: int, job_id: int | None = None) -> str:
    """The fund's yearly disclosure PDF (an export started from the fund reports page), kept for its job page."""
    from ltci.core.jobs import job_run, job_store_file

    from .services.reports import disclosure_pdf

    def work(job) -> str:
        content = disclosure_pdf(year=int(year))
        if job is not None:
            job_store_file(job, content, f"fund-disclosure-{year}.pdf")
        return f"fund-disclosure-{year}.pdf: {len(content)} bytes"

    return job_run(job_id, work, job_prefix="fund_disclosure")


@shared_task(name="settlement.tasks.settlement_run_previous_month")
def settlement_run_previous_month() -> str:
    """Beat entry (the 10th): settle the previous month unless it is already approved or paid."""
    from .services.run import latest_run

    first = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    current = latest_run(first)
    if current and current.is_final:
        return f"{first:%Y-%m} already {current.state}"
    return settlement_run_month(f"{first:%Y-%m}")


@shared_task(name="settlement.tasks.fund_warnings_today")
def fund_warnings_today() -> int:
    from .services.reports import fund_warnings_check

    return len(fund_warnings_check(on=timezone.localdate()))


@shared_task(name="settlement.tasks.ledger_sync")
def ledger_sync() -> int:
    """Repair only: the ledger follows its sources by itself (services.fund); this posts rows written behind
    its triggers (a restore)."""
    from .services.fund import ledger_sync as sync

    return sync()


@shared_task(name="settlement.tasks.deposits_release_previous_year")
def deposits_release_previous_year() -> str:
    """Beat entry (January): release the previous year's quality deposits by the annual appraisal (SPEC 6, 9).

    Safe to run twice: a release is recorded once per institution and year.
    """
    from .services.reports import deposits_release

    year = timezone.localdate().year - 1
    return f"{year}: {len(deposits_release(year=year))} institutions"


@shared_task(name="settlement.tasks.claim_reminders_today")
def claim_reminders_today() -> int:
    """Daily: remind institutions of their claim deadline and flag missed ones (SPEC 7.1)."""
    from .services.records import claim_reminders

    return len(claim_reminders(on=timezone.localdate()))

"""Celery tasks (SPEC 9): take plain values, call one service, safe to run twice."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from ltci.core.fanout import CHUNK_TASK


@shared_task(name="enrollment.tasks.contribution_run_year")
def contribution_run_year(year: int, on: str | None = None, job_id: int | None = None) -> str:
    """``job_id``: the job a staff page queued (ltci.core.jobs.job_queue), whose page shows the progress."""
    from ltci.core.jobs import job_run

    from .services.run import JOB, contribution_fanout
    from .services.run import contribution_run_year as run

    def work(queued) -> str:
        start = contribution_fanout if settings.JOBS_FAN_OUT else run
        job = start(
            year=int(year),
            on=dt.date.fromisoformat(on) if on else None,
            actor=queued.started_by if queued else None,
            job=queued,
        )
        if settings.JOBS_FAN_OUT:
            return f"{job.job} {job.period}: fanned out in {job.params['fanout']} chunks"
        return f"{job.job} {job.period}: {job.state} {job.done}/{job.total}"

    return job_run(job_id, work, job_prefix=JOB)


@shared_task(name="enrollment.tasks.contribution_chunk", **CHUNK_TASK)
def contribution_chunk(run_id: int, number: int) -> str:
    """One person-id range of a fanned-out yearly run (ltci.core.fanout); the last one finishes the run."""
    from ltci.core.fanout import chunk_run

    from .services.run import contribution_chunk_compute, contribution_fanout_finish

    return chunk_run(
        int(run_id), int(number), compute=contribution_chunk_compute, finish=contribution_fanout_finish
    )


@shared_task(name="enrollment.tasks.contribution_run_current_year")
def contribution_run_current_year() -> str:
    return contribution_run_year(timezone.localdate().year)


@shared_task(name="enrollment.tasks.contribution_mark_arrears")
def contribution_mark_arrears(on: str | None = None) -> int:
    """Daily (SPEC 9): arrears recovery from account credits an import could not apply yet (the year's
    contribution did not exist then), the persons whose waiting period ended are told, then short
    contributions past due_by become arrears (and their persons told, issue 19)."""
    from .services.arrears import recover_pending
    from .services.run import contribution_mark_arrears as mark
    from .services.run import waiting_ended_notify

    recover_pending()
    day = dt.date.fromisoformat(on) if on else None
    waiting_ended_notify(on=day)
    return mark(on=day)


@shared_task(name="enrollment.tasks.contribution_run_daily")
def contribution_run_daily() -> str:
    """Daily (SPEC 3.3, 9): rerun the current year so that persons enrolled since the last run get their
    contribution, transfer and fund income in their enrolment month. Idempotent: nothing else changes."""
    return contribution_run_year(timezone.localdate().year)

"""Job locking and progress: one run per job and period at a time (SPEC 9, 12)."""

import zlib
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from .models import JobRun


class JobAlreadyRunning(RuntimeError):
    pass


def _lock_key(job: str, period: str) -> int:
    return zlib.crc32(f"{job}:{period}".encode()) - 2**31


@contextmanager
def job_lock(job: str, period: str):
    """Hold a session-level PostgreSQL advisory lock; refuse a second start at once."""
    key = _lock_key(job, period)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise JobAlreadyRunning(f"job {job} for {period} is already running; wait for it to finish")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def job_start(job: str, period: str, *, total: int = 0, params: dict | None = None, actor=None) -> JobRun:
    return JobRun.objects.create(
        job=job,
        period=period,
        total=total,
        params=params or {},
        started_by=actor if getattr(actor, "pk", None) else None,
    )


def job_progress(run: JobRun, *, done: int, total: int | None = None) -> None:
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    JobRun.objects.filter(pk=run.pk).update(**fields)


def job_finish(run: JobRun, *, state: str = JobRun.State.DONE, message: str = "") -> None:
    JobRun.objects.filter(pk=run.pk).update(state=state, message=message, finished_at=timezone.now())


def job_is_running(job: str, period: str) -> bool:
    """True while another session holds the job's lock (a start now would be refused)."""
    key = _lock_key(job, period)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return False

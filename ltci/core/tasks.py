"""Celery tasks of the core (SPEC 9): take plain values, call one service, safe to run twice."""

from celery import shared_task


@shared_task(name="ltci.core.tasks.import_job_run")
def import_job_run(job_id: int) -> str:
    """Import a file uploaded through the web that was too big to import during the request (issue 13)."""
    from .uploads import import_job_run as run

    return run(int(job_id))


@shared_task(name="ltci.core.tasks.partitions_ahead")
def partitions_ahead() -> str:
    """Create next year's and next month's partitions ahead of the jobs that write into them (daily)."""
    from django.utils import timezone

    from .partitions import ensure_ahead

    created = ensure_ahead(timezone.localdate())
    return f"{len(created)} partitions created" + (f": {', '.join(created)}" if created else "")

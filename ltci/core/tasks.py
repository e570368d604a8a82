"""Celery tasks of the core (SPEC 9): take plain values, call one service, safe to run twice."""

from celery import shared_task


@shared_task(name="ltci.core.tasks.import_job_run")
def import_job_run(job_id: int) -> str:
    """Import a file uploaded through the web that was too big to import during the request (issue 13)."""
    from .uploads import import_job_run as run

    return run(int(job_id))

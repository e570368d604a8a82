"""Celery tasks of the core (SPEC 9): take plain values, call one service, safe to run twice."""

from celery import shared_task


@shared_task(name="ltci.core.tasks.import_job_run")
def import_job_run(job_id: int) -> str:
    """Import a file uploaded through the web that was too big to import during the request (issue 13)."""
    from .uploads import import_job_run as run

    return run(int(job_id))


@shared_task(name="ltci.core.tasks.list_export_run")
def list_export_run(job_id: int) -> str:
    """Export a staff list too long for the web request (issue 16) as the job's file."""
    from .admin_exports import JOB, export_job_run
    from .jobs import job_run

    return job_run(int(job_id), export_job_run, job_prefix=JOB)

"""Celery tasks of the core (SPEC 9): take plain values, call one service, safe to run twice."""

from celery import shared_task


@shared_task(name="ltci.core.tasks.import_job_run")
def import_job_run(job_id: int) -> str:
    """Import a file uploaded through the web that was too big to import during the request (issue 13)."""
    from .uploads import import_job_run as run

    return run(int(job_id))


class NotificationRetry(Exception):
    """A notice could not be sent yet; Celery retries the task with backoff."""


@shared_task(
    bind=True,
    name="ltci.core.tasks.notification_send",
    autoretry_for=(NotificationRetry,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=6,
)
def notification_send(self, notification_id: int) -> str:
    """Send one queued SMS or e-mail notice (issue 19); a sent, failed or letter notice is left alone, so running
    the task twice sends once. A channel error retries with backoff; the last try marks the notice failed."""
    from .notify import notification_deliver

    state, error = notification_deliver(int(notification_id), final=self.request.retries >= self.max_retries)
    if error and state != "failed":
        raise NotificationRetry(error)
    return state


@shared_task(name="ltci.core.tasks.notifications_send_queued")
def notifications_send_queued(new_only: bool = False) -> int:
    """Every quarter hour from beat: start a send task for each queued SMS and e-mail notice (``new_only``: those
    not tried yet), in case a broker lost one. Return how many were started."""
    from .notify import queued_electronic_ids

    ids = queued_electronic_ids(new_only=new_only)
    for pk in ids:
        notification_send.delay(pk)
    return len(ids)


@shared_task(name="ltci.core.tasks.notification_letters_print")
def notification_letters_print() -> str:
    """Daily: print the queued letters into PDF batches of up to 1,000 letters for the post room (issue 19)."""
    from .notify import letters_print

    numbers = []
    while batch := letters_print():
        numbers.append(batch.number)
    return " ".join(numbers)


@shared_task(name="ltci.core.tasks.list_export_run")
def list_export_run(job_id: int) -> str:
    """Export a staff list too long for the web request (issue 16) as the job's file."""
    from .admin_exports import JOB, export_job_run
    from .jobs import job_run

    return job_run(int(job_id), export_job_run, job_prefix=JOB)


@shared_task(name="ltci.core.tasks.partitions_ahead")
def partitions_ahead() -> str:
    """Create next year's and next month's partitions ahead of the jobs that write into them, and refresh the
    statistics of the partitioned tables, which autovacuum never analyzes (daily)."""
    from django.utils import timezone

    from .partitions import analyze_partitioned, ensure_ahead

    created = ensure_ahead(timezone.localdate())
    analyzed = analyze_partitioned()
    return (
        f"{len(created)} partitions created"
        + (f": {', '.join(created)}" if created else "")
        + f"; {len(analyzed)} partitioned tables analyzed"
    )


@shared_task(name="ltci.core.tasks.fanout_sweep")
def fanout_sweep() -> str:
    """Every 5 minutes from beat: send again the unfinished chunks of fanned-out runs that stopped progressing
    (their tasks lost), or give such a run up once re-dispatched LTCI_FANOUT_REDISPATCH_MAX times."""
    from .fanout import fanout_sweep as sweep

    found = sweep()
    return "; ".join(f"#{pk} {outcome}" for pk, outcome in found) or "nothing stale"

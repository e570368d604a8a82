"""A run fanned out to any number of Celery workers, on any number of machines (SPEC 9, 12; issue 20).

A run (a JobRun) is split into chunks (JobChunk rows, each a part of the persons); each chunk is a Celery task
any worker may take. The pieces:

- ``fanout_start`` claims the run's job and period and creates its chunks in one transaction, then sends one
  task per chunk once it commits. The claim is the run's row itself (a JobRun still running with
  ``params["fanout"]``), so it outlives any worker: a second start, fanned out or in-process (``job_lock``),
  is refused while it runs.
- ``chunk_run`` is a chunk task's body: it records who took the chunk (host and process id, visible on the
  job), waits for the chunk's own lock (a copy of the task redelivered while the first still runs waits for
  it), computes, then stores the chunk's result and marks it done in one transaction, adding its count to
  the run's progress. A chunk already done is not computed again, so a redelivered task writes nothing twice.
- Once a chunk is done, ``fanout_finish`` locks the run's row and, when no chunk is left, runs the job's final
  step and finishes the run in that same transaction: whichever chunk ends last finishes the run, once.

Chunk tasks are declared with ``acks_late`` and ``reject_on_worker_lost``: a worker that dies holding a chunk
never acknowledged it, so the broker hands it to another worker (docs/operations.md, "Scaling beyond one
machine"). An error in a chunk fails the run with its reason; the other chunks then stop.

Chunks may keep bulky results in tables of their own (``stage_table``: ``fanout_<run>_<chunk>_<name>``, made in
the chunk's storing transaction, so a chunk done has all of its tables), which the final step reads back as
one (``staged_union``) and drops (``drop_staged``).
"""

import os
import socket
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from .jobs import _lock_key, already_running, fanned_out, job_finish
from .models import JobChunk, JobRun
from .sql import execute, fetch

# Celery options of every chunk task: acknowledged once done, given back to the broker when its worker dies.
CHUNK_TASK = {"acks_late": True, "reject_on_worker_lost": True}

Store = Callable[[], tuple[int, dict]]


def fanout_start(run: JobRun, chunks: list[dict], *, task, total: int, params: dict | None = None) -> JobRun:
    """Claim the run's job and period, create its chunks (``params`` of each) and send ``task(run_id,
    number)`` for each once the transaction commits. Raise JobAlreadyRunning when another run of the job and
    period runs (in-process or fanned out). Runs of the job and period left running by a process that died
    (in-process, not fanned out) are marked failed."""
    with transaction.atomic():
        with connection.cursor() as cursor:  # an in-process run holds this key for as long as it runs
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(run.job, run.period)])
            free = cursor.fetchone()[0]
        if not free or fanned_out(run.job, run.period).exclude(pk=run.pk).exists():
            raise already_running(run.job, run.period)
        JobRun.objects.filter(job=run.job, period=run.period, state=JobRun.State.RUNNING).exclude(
            pk=run.pk
        ).update(
            state=JobRun.State.FAILED,
            message=gettext_noop("已中断（被新的一次运行取代）"),
            finished_at=timezone.now(),
        )
        run.params = {**run.params, **(params or {}), "fanout": len(chunks)}
        run.total, run.done, run.message = total, 0, ""
        run.save(update_fields=["params", "total", "done", "message"])
        JobChunk.objects.bulk_create(JobChunk(run=run, number=n, params=p) for n, p in enumerate(chunks))

        def send():
            try:
                for n in range(len(chunks)):
                    task.apply_async(args=(run.pk, n))
            except Exception as exc:  # broker unreachable: the run says so instead of waiting for ever
                fanout_fail(run.pk, gettext("无法把分块发送给后台进程：%(error)s") % {"error": exc})

        transaction.on_commit(send)
    return run


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def chunk_lock_sql(fn: str) -> str:
    """The chunk's own advisory lock (``fn``: pg_advisory_lock or pg_advisory_unlock), by run and number."""
    return f"SELECT {fn}(hashtextextended('ltci.chunk:' || %s || ':' || %s, 0))"


@contextmanager
def chunk_lock(run_id: int, number: int):
    """Hold the chunk's lock for the session: a second copy of the chunk waits for the first."""
    execute(chunk_lock_sql("pg_advisory_lock"), [run_id, number])
    try:
        yield
    finally:
        execute(chunk_lock_sql("pg_advisory_unlock"), [run_id, number])


def chunk_run(
    run_id: int, number: int, *, compute: Callable[[JobChunk], Store], finish: Callable[[JobRun], str]
) -> str:
    """The body of a chunk task: ``compute(chunk)`` works out the chunk and returns its ``store()``, run in
    the transaction that marks the chunk done, returning (count for the progress, result kept on the chunk).
    Then the run is finished by ``finish(run)`` (its message) if this was the last chunk."""
    chunk = JobChunk.objects.select_related("run").filter(run_id=run_id, number=number).first()
    if chunk is None or chunk.run.state != JobRun.State.RUNNING:
        return "nothing to do"
    language = chunk.run.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            JobChunk.objects.filter(pk=chunk.pk).exclude(state=JobChunk.State.DONE).update(
                state=JobChunk.State.RUNNING,
                worker=worker_name(),
                attempts=F("attempts") + 1,
                started_at=timezone.now(),
            )
            with chunk_lock(run_id, number):
                chunk.refresh_from_db()
                if chunk.state != JobChunk.State.DONE:
                    store = compute(chunk)
                    with transaction.atomic():
                        locked = JobChunk.objects.select_for_update().get(pk=chunk.pk)
                        if locked.state != JobChunk.State.DONE:
                            count, result = store()
                            JobChunk.objects.filter(pk=chunk.pk).update(
                                state=JobChunk.State.DONE,
                                done=count,
                                result=result,
                                finished_at=timezone.now(),
                            )
                            JobRun.objects.filter(pk=run_id).update(done=F("done") + count)
            return fanout_finish(run_id, finish)
        except Exception as exc:
            fanout_fail(run_id, str(exc) or type(exc).__name__)
            raise


def fanout_finish(run_id: int, finish: Callable[[JobRun], str]) -> str:
    """Finish the run when no chunk is left, once: under the run's row lock, in one transaction with the
    job's final step."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update().filter(pk=run_id, state=JobRun.State.RUNNING).first()
        if run is None:
            return "finished"
        left = run.chunks.exclude(state=JobChunk.State.DONE).count()
        if left:
            return f"{left} chunks left"
        message = finish(run)
        job_finish(run, message=message)
    drop_staged(run_id)
    return message


def fanout_fail(run_id: int, message: str) -> None:
    JobRun.objects.filter(pk=run_id, state=JobRun.State.RUNNING).update(
        state=JobRun.State.FAILED, message=message[:2000], finished_at=timezone.now()
    )
    drop_staged(run_id)


def staged_name(run_id: int, number: int, name: str) -> str:
    return f"fanout_{int(run_id)}_{int(number)}_{name}"


def stage_table(run_id: int, number: int, name: str, query: str, params=None) -> int:
    """Keep a chunk's result (``query``'s rows) in a table of its own, replaced if there; return its rows."""
    table = staged_name(run_id, number, name)
    execute(f"DROP TABLE IF EXISTS {table}")
    return execute(f"CREATE UNLOGGED TABLE {table} AS {query}", params)


def staged_union(run: JobRun, name: str) -> str:
    """The query of every chunk's table ``name`` as one (the chunks are all done)."""
    numbers = run.chunks.order_by("number").values_list("number", flat=True)
    return " UNION ALL ".join(f"SELECT * FROM {staged_name(run.pk, n, name)}" for n in numbers)  # noqa: S608


def drop_staged(run_id: int) -> None:
    tables = [
        name
        for (name,) in fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE %s",
            [f"fanout\\_{int(run_id)}\\_%"],
        )
    ]
    if tables:
        execute("DROP TABLE IF EXISTS " + ", ".join(tables))

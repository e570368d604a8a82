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

A run whose tasks are lost (the broker's data deleted, a message never delivered, a worker killed where
redelivery cannot happen) would stay running and hold its year or month for ever. ``fanout_sweep`` (beat,
every 5 minutes) finds the running fanned-out runs with no sign of life for LTCI_FANOUT_STALE_MINUTES (no
chunk sent, taken or finished since, ``stale_runs``) and no worker holding one of their chunks (each chunk's
lock is free), and sends their unfinished chunks again (``fanout_redispatch``; with every chunk done, the last
one, whose task then runs the final step); after LTCI_FANOUT_REDISPATCH_MAX re-dispatches the run is given up:
failed, with a message saying so, and its year or month free to start again. Staff may re-dispatch a stale
run from its job page at once.

A run queued by a staff page (``ltci.core.jobs.job_queue``) whose start message was lost before the run was
fanned out (the broker restarted or flushed, a worker killed before it began) is just as stale: still running,
not fanned out, no worker running its start (the start's lock is free, ``jobs.start_lock_sql``) and no sign
of life (queued or its start sent again) for LTCI_FANOUT_STALE_MINUTES. The same sweep sends its start task
again (``params["start"]``: name and arguments), counted the same way, and gives it up the same way; a copy
of a start that was merely slow does nothing (``jobs.job_run``, and ``fanout_start`` under the run's row
lock). A re-sent chunk is the very task of the start, so a copy of a chunk that was
not lost after all waits for it or does nothing.

Chunks may keep bulky results in tables of their own (``stage_table``: ``fanout_<run>_<chunk>_<name>``, made in
the chunk's storing transaction, so a chunk done has all of its tables), which the final step reads back as
one (``staged_union``) and drops (``drop_staged``).
"""

import datetime as dt
import os
import socket
from collections.abc import Callable
from contextlib import contextmanager

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from .jobs import (
    already_running,
    fanned_out,
    job_finish,
    job_send_failed,
    job_text,
    lock_key,
    start_lock_sql,
)
from .models import JobChunk, JobRun
from .sql import execute, fetch

# Celery options of every chunk task: acknowledged once done, given back to the broker when its worker dies.
CHUNK_TASK = {"acks_late": True, "reject_on_worker_lost": True}

Store = Callable[[], tuple[int, dict]]


def fanout_start(run: JobRun, chunks: list[dict], *, task, total: int, params: dict | None = None) -> JobRun:
    """Claim the run's job and period, create its chunks (``params`` of each) and send ``task(run_id,
    number)`` for each once the transaction commits. Raise JobAlreadyRunning when another run of the job and
    period runs (in-process or fanned out). Runs of the job and period left running by a process that died
    (in-process, not fanned out) are marked failed. A run already fanned out or no longer running (a duplicate
    start, read under the run's row lock) is returned as it is."""
    with transaction.atomic():
        current = JobRun.objects.select_for_update().filter(pk=run.pk).first()
        if current is not None and (current.state != JobRun.State.RUNNING or "fanout" in current.params):
            return current
        with connection.cursor() as cursor:  # an in-process run holds this key for as long as it runs
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key(run.job, run.period)])
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
        # the chunk task's name: a re-dispatch of a lost run sends it again (fanout_redispatch)
        run.params = {**run.params, **(params or {}), "fanout": len(chunks), "chunk_task": task.name}
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


# What fanout_redispatch did with a run.
RESENT, BUSY, GIVEN_UP, NOT_RUNNING, NO_TASK = "resent", "busy", "given up", "not running", "no task"
RESTARTED = "start resent"  # a queued run's lost start task, sent again

# A running run the sweep looks after: fanned out, or queued by a page (its start task known) and not yet.
WATCHED = Q(state=JobRun.State.RUNNING) & (Q(params__has_key="fanout") | Q(params__has_key="start"))


def stale_runs(now: dt.datetime | None = None):
    """The running fanned-out or queued runs with no sign of life (the run queued or started, its start sent
    again, a chunk sent, taken or finished) for LTCI_FANOUT_STALE_MINUTES; ``last_seen`` is that last sign.
    (Whether a worker holds one of its locks is checked by ``fanout_redispatch``.)"""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=settings.LTCI_FANOUT_STALE_MINUTES)
    return (
        JobRun.objects.filter(WATCHED)
        .annotate(
            last_seen=Greatest(  # PostgreSQL's GREATEST skips NULLs: a queued run has no chunk
                "started_at",
                "sent_at",
                Max("chunks__sent_at"),
                Max("chunks__started_at"),
                Max("chunks__finished_at"),
            )
        )
        .filter(last_seen__lt=cutoff)
    )


def is_stale(run: JobRun) -> bool:
    return stale_runs().filter(pk=run.pk).exists()


def _lock_free(sql: str, params: list) -> bool:
    """Take a chunk's or a start's lock until the transaction ends, if no worker holds it (a copy of the task
    delivered meanwhile waits for the transaction, or for a start, does nothing: the copy re-sent is the one
    that runs)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bool(cursor.fetchone()[0])


LOST_CHUNKS = gettext_noop(
    "已放弃：分块任务已丢失（%(minutes)s 分钟没有任何进展，未完成的分块已重新派发 %(count)s 次），可以重新启动"
)
LOST_START = gettext_noop(
    "已放弃：启动任务已丢失（%(minutes)s 分钟仍在排队，启动任务已重新发送 %(count)s 次），可以重新启动"
)


def fanout_redispatch(run_id: int, *, give_up: bool = False) -> tuple[str, int]:
    """Send again the task of each unfinished chunk of a running fanned-out run (every chunk done: the last
    one's, whose task runs the final step), unless a worker is at work on it (its row or a chunk locked):
    (RESENT, chunks sent) or (BUSY, 0). A run queued by a page and not fanned out has its start task sent
    again instead, unless a worker runs that start (its lock held): (RESTARTED, 1). Counted in the run's
    ``params["redispatched"]``. ``give_up`` (beat): a run already re-dispatched LTCI_FANOUT_REDISPATCH_MAX
    times is failed instead, with a message saying so, which frees its year or month: (GIVEN_UP, 0)."""
    with transaction.atomic():
        run = JobRun.objects.select_for_update(skip_locked=True).filter(WATCHED, pk=run_id).first()
        if run is None:  # finished meanwhile, or its row locked by the final step or a chunk storing
            running = JobRun.objects.filter(pk=run_id, state=JobRun.State.RUNNING).exists()
            return (BUSY if running else NOT_RUNNING), 0
        fanned = "fanout" in run.params
        if fanned:
            undone = run.chunks.exclude(state=JobChunk.State.DONE).order_by("number")
            numbers = list(undone.values_list("number", flat=True)) or list(
                run.chunks.order_by("-number").values_list("number", flat=True)[:1]
            )
            free = all(_lock_free(chunk_lock_sql("pg_try_advisory_xact_lock"), [run.pk, n]) for n in numbers)
            task = run.params.get("chunk_task")
        else:
            numbers = []
            free = _lock_free(start_lock_sql("pg_try_advisory_xact_lock"), [run.pk])
            task = (run.params.get("start") or {}).get("task")
        if not free:
            return BUSY, 0
        count = run.params.get("redispatched", 0)
        if give_up and (count >= settings.LTCI_FANOUT_REDISPATCH_MAX or not task):
            job_finish(
                run,
                state=JobRun.State.FAILED,
                message=job_text(
                    LOST_CHUNKS if fanned else LOST_START,
                    minutes=settings.LTCI_FANOUT_STALE_MINUTES,
                    count=count,
                ),
            )
            transaction.on_commit(lambda: drop_staged(run_id))
            return GIVEN_UP, 0
        if not task:  # a run started before its task was recorded: beat gives it up
            return NO_TASK, 0
        run.params = {**run.params, "redispatched": count + 1}
        if fanned:
            run.save(update_fields=["params"])
            run.chunks.filter(number__in=numbers).update(sent_at=timezone.now())
        else:
            run.sent_at = timezone.now()
            run.save(update_fields=["params", "sent_at"])
        args = list(run.params["start"].get("args") or []) if not fanned else []

        def send():
            try:
                if not fanned:
                    current_app.send_task(task, args=args, kwargs={"job_id": run_id})
                for n in numbers:
                    current_app.send_task(task, args=(run_id, n))
            except Exception as exc:  # broker unreachable: the run says so instead of waiting for ever
                if fanned:
                    fanout_fail(run_id, gettext("无法把分块发送给后台进程：%(error)s") % {"error": exc})
                else:
                    job_send_failed(run, exc)

        transaction.on_commit(send)
    return (RESENT, len(numbers)) if fanned else (RESTARTED, 1)


def fanout_sweep(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Beat: re-dispatch every stale run (its chunks, or a queued run's start), or give it up
    (fanout_redispatch); (run id, what was done)."""
    found = []
    for run_id in stale_runs(now).order_by("pk").values_list("pk", flat=True):
        outcome, sent = fanout_redispatch(run_id, give_up=True)
        found.append((run_id, f"{outcome} {sent}" if sent and outcome == RESENT else outcome))
    return found

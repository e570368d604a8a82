"""Job locking, progress and queueing: one run per job and period at a time (SPEC 9, 12); a long job started
from a web page runs in Celery, never in the request (issue 16).

A page that starts a job calls ``job_queue``: the job's JobRun exists at once (the page redirects to the job's
page, which shows its progress), and the task, sent once the transaction commits, receives ``job_id`` and runs
its service through ``job_run``, which fills in that same JobRun. The run keeps the task's name and arguments
(``params["start"]``): a start message lost on its way (the broker restarted or flushed, a worker killed before
it began) is sent again by beat (ltci.core.fanout.fanout_sweep), and ``job_run`` makes a copy of a message
that was merely slow do nothing.
"""

import json
import uuid
import zlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from .models import JobRun, job_message_text
from .permissions import job_declared


@dataclass(frozen=True)
class JobMessage:
    """A job's progress or result message as it is stored: its msgid (marked with gettext_noop) and arguments,
    which may be JobMessages themselves or lists of them (shown joined by 、). JobRun.message keeps it filled in in the source language (for logs
    and the command line); the pages translate the msgid into the viewer's language (JobRun.message_shown)."""

    msgid: str
    args: dict = field(default_factory=dict)

    def stored(self) -> dict:
        return {"id": self.msgid, "args": {k: _stored(v) for k, v in self.args.items()}}

    def shown(self) -> str:
        """The message in the active language."""
        return job_message_text(self.stored())

    def __str__(self) -> str:
        return self.msgid % {k: _text(v) for k, v in self.args.items()} if self.args else self.msgid


def _stored(value):
    if isinstance(value, list | tuple):
        return [_stored(v) for v in value]
    return value.stored() if isinstance(value, JobMessage) else value


def _text(value) -> str:
    return "、".join(_text(v) for v in value) if isinstance(value, list | tuple) else str(value)


def job_text(msgid: str, **args) -> JobMessage:
    """A job message to store: ``job_text(gettext_noop("已处理 %(n)s 人"), n=3000)``."""
    return JobMessage(msgid, args)


class JobAlreadyRunning(RuntimeError):
    pass


def lock_key(job: str, period: str) -> int:
    """The PostgreSQL advisory lock key of a job and period: held by an in-process run for as long as it runs,
    and by a fan-out's start for the moment of its claim (ltci.core.fanout)."""
    return zlib.crc32(f"{job}:{period}".encode()) - 2**31


def _job_label(job: str) -> str:
    declared = job_declared(job)
    return str(declared.label) if declared else job


def already_running(job: str, period: str) -> "JobAlreadyRunning":
    """The refusal of a second start of a job for its period, in the user's language."""
    return JobAlreadyRunning(
        gettext("%(job)s（%(period)s）正在运行，请等它结束后再试")
        % {"job": _job_label(job), "period": period}
    )


def fanned_out(job: str, period: str):
    """The runs of a job and period fanned out to the workers (ltci.core.fanout) and still running: each holds
    its job and period by its row, which outlives any worker."""
    return JobRun.objects.filter(job=job, period=period, state=JobRun.State.RUNNING, params__has_key="fanout")


@contextmanager
def job_lock(job: str, period: str):
    """Hold a session-level PostgreSQL advisory lock; refuse a second start at once."""
    key = lock_key(job, period)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            raise already_running(job, period)
    # a run fanned out to the workers (ltci.core.fanout) holds its job and period by its row, not this lock
    if fanned_out(job, period).exists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        raise JobAlreadyRunning(
            gettext("%(job)s（%(period)s）正在由后台进程运行，请等它结束后再试")
            % {"job": _job_label(job), "period": period}
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def job_start(
    job: str, period: str, *, total: int = 0, params: dict | None = None, actor=None, message: str = ""
) -> JobRun:
    return JobRun.objects.create(
        job=job,
        period=period,
        total=total,
        params=params or {},
        message=message,
        started_by=actor if getattr(actor, "pk", None) else None,
    )


def jobs_running(job: str, period: str, *, besides: JobRun | None = None):
    """The runs of a job and period still marked running (interrupted ones, when the lock is held), apart from
    ``besides`` (the queued run about to start)."""
    found = JobRun.objects.filter(job=job, period=period, state=JobRun.State.RUNNING)
    return found.exclude(pk__in=[besides.pk] if besides else [])


def start_lock_sql(fn: str) -> str:
    """The advisory lock of a queued run's start (``fn``: pg_try_advisory_lock, pg_advisory_unlock...), by
    run id: held by the worker running the start for as long as it runs."""
    return f"SELECT {fn}(hashtextextended('ltci.start:' || %s, 0))"


def job_send_failed(run: JobRun, exc: Exception) -> None:
    """Fail a run whose task could not be sent (broker unreachable): the job says so instead of waiting."""
    job_finish(
        run,
        state=JobRun.State.FAILED,
        message=job_text(gettext_noop("无法提交后台任务：%(exc)s"), exc=str(exc)),
    )


def job_queue(
    job: str, period: str, *, task, args: tuple = (), params: dict | None = None, actor=None
) -> JobRun:
    """Create the job's run (waiting, in the starter's language) and send ``task(*args, job_id=run.pk)`` to
    Celery once the transaction commits; a broker that cannot be reached fails the run with the reason. The
    task's name and ``args`` (plain values) are kept on the run, for a re-send of a lost start."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    run = job_start(
        job,
        period,
        params={**(params or {}), "language": language, "start": {"task": task.name, "args": list(args)}},
        actor=actor,
        message=gettext_noop("已排队，等待后台执行"),
    )

    def send():
        try:
            task.delay(*args, job_id=run.pk)
        except Exception as exc:  # broker unreachable: the job says so instead of waiting for ever
            job_send_failed(run, exc)

    transaction.on_commit(send)
    return run


def job_run(job_id: int | None, work: Callable[[JobRun | None], str], *, job_prefix: str = "") -> str:
    """The body of a queued job's task: ``work(run)`` in the language of who started it; an error fails the
    run with its reason (then propagates, for the worker's log). Without ``job_id`` (beat, the command line)
    ``work(None)`` runs as it is.

    Safe to run twice, as a start message may be delivered twice (re-sent by beat while the first was only
    slow, redelivered after a worker died): the start's own lock (``start_lock_sql``) is held while ``work``
    runs, so a copy arriving meanwhile does nothing, and a copy arriving later finds the run, read under that
    lock, no longer waiting (finished, failed, or fanned out to the workers, whose chunks carry it on)."""
    if job_id is None:
        return work(None)
    with connection.cursor() as cursor:
        cursor.execute(start_lock_sql("pg_try_advisory_lock"), [job_id])
        if not cursor.fetchone()[0]:
            return "nothing to do"  # another worker is running this very start
    try:
        run = JobRun.objects.filter(pk=job_id, job__startswith=job_prefix).first()
        if run is None or run.state != JobRun.State.RUNNING or "fanout" in run.params:
            return "nothing to do"
        with translation.override(run.params.get("language") or settings.LANGUAGE_CODE):
            try:
                return work(run)
            except Exception as exc:
                JobRun.objects.filter(pk=run.pk, state=JobRun.State.RUNNING).update(
                    state=JobRun.State.FAILED,
                    message=(str(exc) or type(exc).__name__)[:2000],
                    finished_at=timezone.now(),
                )
                raise
    finally:
        with connection.cursor() as cursor:
            cursor.execute(start_lock_sql("pg_advisory_unlock"), [job_id])


def job_store_file(run: JobRun, content: bytes, filename: str) -> None:
    """Keep a job's output file (an export) for its page's download; finish the job."""
    stored = default_storage.save(f"jobs/{uuid.uuid4().hex}.out", ContentFile(content))
    JobRun.objects.filter(pk=run.pk).update(
        params={**run.params, "file": stored, "filename": filename}, done=1, total=1
    )
    job_finish(run, message=job_text(gettext_noop("已生成 %(name)s"), name=filename))


def job_page_url(run: JobRun) -> str:
    """The staff page of a job: its progress, result and error report."""
    return reverse("admin:core_jobrun_change", args=[run.pk])


def job_progress(run: JobRun, *, done: int, total: int | None = None) -> None:
    fields = {"done": done}
    if total is not None:
        fields["total"] = total
    JobRun.objects.filter(pk=run.pk).update(**fields)


def job_finish(run: JobRun, *, state: str = JobRun.State.DONE, message: str | JobMessage = "") -> None:
    """End a run with its message: a JobMessage (shown in each viewer's language), a msgid marked with
    gettext_noop, or text already in the run's language (an error's own message)."""
    job_message(run, message, state=state, finished_at=timezone.now())


def job_message(run: JobRun, message: str | JobMessage, **fields) -> None:
    """Set a run's message (and other ``fields``): a JobMessage's msgid and arguments go into the run's params
    (params->'message'), next to whatever else the job keeps there."""
    stored = message.stored() if isinstance(message, JobMessage) else None
    JobRun.objects.filter(pk=run.pk).update(
        message=str(message),
        params=RawSQL(
            "(params - 'message') || %s::jsonb", [json.dumps({"message": stored} if stored else {})]
        ),
        **fields,
    )


def job_is_running(job: str, period: str) -> bool:
    """True while another session holds the job's lock or a run of it is fanned out to the workers (a start
    now would be refused)."""
    if fanned_out(job, period).exists():
        return True
    key = lock_key(job, period)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return False

"""Kill a job from outside, as the kernel or an operator would (SPEC 7.2, 12): no hook in production code.

The job runs as its management command in a child process. The test holds, on a connection of its own, a
lock that the job needs at the chosen point (a table the write reads, a row a chunk's commit checks), waits
until PostgreSQL shows the job's backend blocked by that connection (a condition polled with a generous
timeout, never a sleep for luck), reads what the backend has written so far (its row-exclusive table locks),
then SIGKILLs the process. The lock is released only once the job can no longer commit: either PostgreSQL
ends the dead client's backend by itself when the lock is released mid-transaction, or, when the job was
blocked in its COMMIT, the test terminates the backend first (pg_terminate_backend), then releases.
"""

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
_serial = itertools.count(1)
TIMEOUT = 600.0  # seconds: the machine may be loaded; every wait ends as soon as its condition holds
POLL = 0.05


def db_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def connect(*, autocommit: bool = True) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname=s["NAME"],
        autocommit=autocommit,
    )


class Command:
    """`manage.py <name> <args>` in a child process on the test database (output kept in files, so a
    chatty child never blocks on a full pipe)."""

    def __init__(self, name: str, *args: str):
        # libpq names the child's connections, so the test tells them from autovacuum or its own
        self.application_name = f"outside-{os.getpid()}-{next(_serial)}"
        env = {
            **os.environ,
            "DATABASE_URL": db_url(),
            "DJANGO_SETTINGS_MODULE": "ltci.settings.local",
            "PGAPPNAME": self.application_name,
        }
        self._out = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in result()
        self._err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in result()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(ROOT / "manage.py"), name, *args],
            env=env,
            stdout=self._out,
            stderr=self._err,
            text=True,
            cwd=ROOT,
        )

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def result(self, timeout: float = TIMEOUT) -> tuple[int, str, str]:
        """Wait for the process; return (returncode, stdout, stderr)."""
        code = self.process.wait(timeout)
        texts = []
        for f in (self._out, self._err):
            f.seek(0)
            texts.append(f.read())
            f.close()
        return code, texts[0], texts[1]

    def kill(self) -> int:
        self.process.send_signal(signal.SIGKILL)
        return self.process.wait(TIMEOUT)


def run_command(name: str, *args: str) -> tuple[int, str, str]:
    return Command(name, *args).result()


@dataclass
class Blocked:
    """The job's backend as seen while it waits for the test's lock."""

    pid: int
    query: str
    written: set[str]  # tables it holds a row-exclusive lock on: what it has written in its transaction


def wait_blocked_by(observer: psycopg.Connection, holder_pid: int, job: Command) -> Blocked:
    """Wait until a backend of the job waits for a lock held by holder_pid; fail at once if the job ends
    instead."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        row = observer.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE application_name = %s "
            "AND %s = ANY(pg_blocking_pids(pid))",
            [job.application_name, holder_pid],
        ).fetchone()
        if row:
            written = {
                name
                for (name,) in observer.execute(
                    "SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND locktype = 'relation' "
                    "AND mode = 'RowExclusiveLock'",
                    [row[0]],
                )
            }
            return Blocked(pid=row[0], query=row[1], written=written)
        if not job.running:
            code, out, err = job.result()
            raise AssertionError(f"the job ended ({code}) without waiting for the test's lock: {out}{err}")
        time.sleep(POLL)
    raise AssertionError(f"the job never waited for the test's lock within {TIMEOUT:.0f}s")


def wait_backend_gone(observer: psycopg.Connection, pid: int) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if not observer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            return
        time.sleep(POLL)
    raise AssertionError(f"backend {pid} still there after {TIMEOUT:.0f}s")


@contextmanager
def holding(*statements: str, params=None):
    """A transaction of its own that runs the statements (taking their locks) and holds them until the block
    ends; yield (holder connection, its backend pid, the first statement's rows)."""
    holder = connect(autocommit=False)
    try:
        pid = holder.execute("SELECT pg_backend_pid()").fetchone()[0]
        rows = None
        for sql in statements:
            cursor = holder.execute(sql, params)
            if rows is None:
                rows = cursor.fetchall() if cursor.description else []
        yield holder, pid, rows
    finally:
        holder.rollback()
        holder.close()


def kill_when_blocked(job: Command, *statements: str, params=None, terminate: bool) -> Blocked:
    """Run the job until it waits for the lock the statements take, SIGKILL it there, and return what its
    backend had written. With terminate, end its backend too before the lock is released (needed when the
    job waits inside its COMMIT: the commit was already asked for and would complete)."""
    with connect() as observer:
        with holding(*statements, params=params) as (holder, holder_pid, _):
            blocked = wait_blocked_by(observer, holder_pid, job)
            assert job.kill() == -signal.SIGKILL
            if terminate:
                observer.execute("SELECT pg_terminate_backend(%s)", [blocked.pid])
                wait_backend_gone(observer, blocked.pid)
        wait_backend_gone(observer, blocked.pid)  # the dead client's backend ends once it may go on
    return blocked

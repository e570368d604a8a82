"""Timing a job fanned out to Celery worker processes (issue 20): `celery -A ltci worker` processes started on
the bench's database, on a queue of their own (so a bench never takes or leaves a task of the working
site), each with the deployment's settings (solo pool: one chunk at a time, prefetch 1)."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 6 * 3600.0  # a failure guard only


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def workers(count: int):
    """``count`` worker processes on the bench database and a queue of their own, which this process's
    tasks are sent to while they run."""
    from ltci.celery import app

    queue = f"bench-{os.getpid()}-{count}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "ltci.settings.local",
        "JOBS_FAN_OUT": "true",
        "DEBUG": "false",
    }
    logs = [tempfile.TemporaryFile(mode="w+") for _ in range(count)]  # noqa: SIM115 - closed below
    processes = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and Celery app
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ltci",
                "worker",
                "--pool",
                "solo",
                "--prefetch-multiplier",
                "1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "INFO",
                "-Q",
                queue,
                "-n",
                f"{queue}-{n}@%h",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        for n, log in enumerate(logs)
    ]
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 600
        while not all(_ready(log) for log in logs):  # the clock starts with every worker waiting for tasks
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError("the Celery workers did not start")
            time.sleep(0.1)
        yield
    finally:
        app.conf.task_default_queue = previous
        for p in processes:
            p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(120)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.seek(0)
            text = log.read()
            if "Traceback" in text:
                print(text[-3000:], file=sys.stderr)
            log.close()


def _ready(log) -> bool:
    log.seek(0)
    return " ready." in log.read()


def wait_finished(run) -> None:
    """Wait until the fanned-out run is done; raise with its message if it failed."""
    from ltci.core.models import JobRun

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.state != JobRun.State.RUNNING:
            if run.state != JobRun.State.DONE:
                raise RuntimeError(f"{run}: {run.message}")
            return
        time.sleep(0.05)
    raise RuntimeError(f"{run} did not finish")


def timed_on_workers(counts, start, *, reset=None, after=None) -> dict[int, float]:
    """Time the job on each number of worker processes in ``counts``: ``start()`` fans it out (returns its
    JobRun), ``reset()`` (if given) clears its previous result first, ``after()`` checks it. The clock runs
    from the start to the run's end, the workers already waiting."""
    times = {}
    for count in counts:
        if reset:
            reset()
        with workers(count):
            began = time.perf_counter()
            wait_finished(start())
            times[count] = time.perf_counter() - began
        if after:
            after()
    return times

"""The insured person's status page (SPEC 8, 12) under load: N persons loaded, gunicorn on loopback, 20
concurrent clients (threads with http.client keep-alive connections, closed loop) each asking for /me/ of a
logged-in person a fixed number of times. Prints p50/p95/p99 latency and throughput, plus the single-client
latency (service time without queueing) so the two can be told apart. Loopback only; stops by itself.

The server runs as deployed: ltci.settings.production (cache sessions, HTTPS redirect, secure cookies) with
the image's gunicorn.conf.py; the clients send X-Forwarded-Proto: https as the TLS-terminating proxy in front
of gunicorn does (SECURE_PROXY_SSL_HEADER).

    python -m ltci.bench status_page --persons 1000000
"""
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import register, setup_fresh_database, timer

CLIENTS = 20
REQUESTS_PER_CLIENT = 100
WARMUP_PER_CLIENT = 5
SINGLE_CLIENT_REQUESTS = 100
ACCOUNTS = 200
WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "")  # default: gunicorn.conf.py (as deployed)
HOST = "127.0.0.1"
SERVER_SETTINGS = "ltci.settings.production"
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def _server_settings():
    """The production settings module (read for its SESSION_ENGINE; it needs a SECRET_KEY to import)."""
    from importlib import import_module

    from django.conf import settings

    os.environ.setdefault("SECRET_KEY", settings.SECRET_KEY)
    return import_module(SERVER_SETTINGS)


def _configured_workers() -> int:
    import runpy

    return runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))["workers"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _sessions(n: int) -> list[str]:
    """Activated status-page accounts for ACCOUNTS persons spread over the table; return session keys."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from benefits.models import InsuredAccount
    from enrollment.models import Person

    store = import_module(_server_settings().SESSION_ENGINE).SessionStore  # the server's session engine
    password = make_password("bench-only-password")  # noqa: S106 (one hash reused; nobody logs in with it)
    step = max(n // ACCOUNTS, 1)
    keys = []
    for person in Person.objects.filter(id__in=range(1, n + 1, step)).order_by("id")[:ACCOUNTS]:
        user = get_user_model().objects.create(username=f"ins-{person.national_id}", password=password)
        InsuredAccount.objects.create(national_id=person.national_id, name=person.name, person=person, user=user,
                                      activated_at=timezone.now())
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    return keys


def _start_gunicorn(db_name: str, port: int) -> subprocess.Popen:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/ltci")
    base = url.rsplit("/", 1)[0]
    from django.conf import settings

    # The same SECRET_KEY as this process: the sessions' auth hashes were made with it.
    env = dict(os.environ, DATABASE_URL=f"{base}/{db_name}", DJANGO_SETTINGS_MODULE=SERVER_SETTINGS,
               SECRET_KEY=settings.SECRET_KEY)
    root = Path(__file__).resolve().parents[2]
    workers = ["--workers", WORKERS] if WORKERS else []
    return subprocess.Popen(  # noqa: S603 (fixed argv, loopback only)
        [sys.executable, "-m", "gunicorn", "ltci.wsgi", "-c", str(root / "gunicorn.conf.py"), "--bind",
         f"{HOST}:{port}", *workers, "--log-level", "warning"], cwd=root, env=env)


def _wait_ready(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/me/login/", headers=PROXY_HEADERS)
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 90 s")


def _client(port: int, sessions: list[str], count: int, warmup: int, out: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    for i in range(warmup + count):
        key = sessions[i % len(sessions)]
        started = time.perf_counter()
        try:
            conn.request("GET", "/me/", headers={"Cookie": f"sessionid={key}", "Connection": "keep-alive",
                                                 **PROXY_HEADERS})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            continue
        elapsed = time.perf_counter() - started
        if response.status != 200 or "待遇核定".encode() not in body:
            errors.append(f"status {response.status}")
        elif i >= warmup:
            out.append(elapsed)
    conn.close()


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _load_run(port: int, sessions: list[str], clients: int, per_client: int, warmup: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    groups = [sessions[i::clients] or sessions for i in range(clients)]
    threads = [threading.Thread(target=_client, args=(port, groups[i], per_client, warmup, latencies, errors))
               for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"n": len(latencies), "errors": len(errors), "first_error": errors[0] if errors else "",
            "p50": _percentile(latencies, 50) * 1000 if latencies else float("nan"),
            "p95": _percentile(latencies, 95) * 1000 if latencies else float("nan"),
            "p99": _percentile(latencies, 99) * 1000 if latencies else float("nan"),
            "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
            "rps": len(latencies) / wall if wall else 0.0}


def _line(label: str, r: dict) -> str:
    return (f"  {label}: {r['n']} requests, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, "
            f"mean {r['mean']:.1f} ms, {r['rps']:.0f} req/s, errors {r['errors']}"
            + (f" (first: {r['first_error']})" if r["errors"] else ""))


@register("status_page", size_arg="persons", default_size=1_000_000, all_size=10_000,
          help="status page p95 latency under 20 concurrent clients against gunicorn on loopback")
def bench_status_page(n: int) -> dict:
    db_name = setup_fresh_database("bench_status_page")
    from django.core.management import call_command
    from django.db import connection

    from .eligibility import load

    call_command("load_policy", "xuzhou-2022", verbosity=0)
    results: dict = {}
    with timer(results, "load"):
        load(n)
        sessions = _sessions(n)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"status_page: {n} persons loaded in {results['load']:.1f}s; {len(sessions)} logged-in accounts; "
          f"gunicorn {WORKERS or _configured_workers()} sync workers on {HOST} ({SERVER_SETTINGS}); "
          f"{os.cpu_count()} CPU cores (shared)", flush=True)
    port = _free_port()
    proc = _start_gunicorn(db_name, port)
    try:
        _wait_ready(port, proc)
        single = _load_run(port, sessions, 1, SINGLE_CLIENT_REQUESTS, WARMUP_PER_CLIENT)
        loaded = _load_run(port, sessions, CLIENTS, REQUESTS_PER_CLIENT, WARMUP_PER_CLIENT)
        # Information only (not the target figure): the same load again, now that every person's page has
        # been viewed once, to tell the cost of first views (about 1 in 20 requests above) from repeat views.
        repeat = _load_run(port, sessions, CLIENTS, REQUESTS_PER_CLIENT, WARMUP_PER_CLIENT)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    results.update({"single": single, "loaded": loaded, "repeat": repeat,
                    "equal": loaded["errors"] == 0 and single["errors"] == 0, "p95_ms": loaded["p95"]})
    print(_line("1 client", single))
    print(_line(f"{CLIENTS} clients", loaded))
    print(_line(f"{CLIENTS} clients again, every page viewed before (information only)", repeat))
    print(f"status_page ({n} persons): p95 at {CLIENTS} concurrent clients {loaded['p95']:.1f} ms "
          f"(target < 50 ms), single-client p95 {single['p95']:.1f} ms", flush=True)
    return results

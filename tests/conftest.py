import os

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, settings

# Property tests must not fail because the machine is busy (two pytest workers, PostgreSQL and the other
# services share two cores): no deadline and no time-based health check. The "ci" profile is the default;
# HYPOTHESIS_PROFILE=dev keeps hypothesis's own defaults for a developer hunting slow examples.
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.register_profile("dev")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def xuzhou(db):
    """The xuzhou-2022 policy pack, loaded and active."""
    call_command("load_policy", "xuzhou-2022", verbosity=0)
    from ltci.core.models import PolicyScheme

    return PolicyScheme.objects.get(code="xuzhou-2022")


@pytest.fixture
def load_pack(db):
    def _load(code):
        call_command("load_policy", code, verbosity=0)

    return _load


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium driven by playwright (never a downloaded browser)."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    from playwright.sync_api import sync_playwright

    # The sync API runs an event loop in this thread; set only while the test runs (not at import, where it
    # would leak into other tests' subprocesses such as the deployment check).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language. A request the test client makes in English leaves English
    active on the thread (Django activates per request and never deactivates), so a later test calling a
    service directly saw English texts depending on the test order."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _token_failures_reset():
    """Failed API tokens are counted per client address in Redis, which outlives a test's transaction: each
    test starts with no failures of the test client's address (the isolation walk sends revoked tokens)."""
    from django.core.cache import cache

    cache.delete("ltci:token-failures:127.0.0.1")
    yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Keep uploaded documents and photos of tests out of the project's media directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _other_sessions(dbname: str) -> list[tuple]:
    """The sessions still connected to the test database, seen from the server's maintenance database."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        return admin.execute(
            "SELECT pid, application_name, client_addr, state, backend_start, left(query, 120) "
            "FROM pg_stat_activity WHERE datname = %s",
            [dbname],
        ).fetchall()


def _terminate(dbname: str) -> None:
    """End the sessions still connected to this run's own test database (never any other database)."""
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, dropped only once nothing else is connected to it.

    Every connection the suite opens is closed by its owner (threads of tests/concurrency.py, live_server,
    subprocesses); a process killed on purpose leaves a backend that ends when PostgreSQL notices, so this
    waits a little for those before pytest-django drops the database (else: "is being accessed by other
    users"). A session still there after the wait is an idle connection a server thread of this process
    left open (live_server's threads): it is ended with pg_terminate_backend on the test database only, so
    the drop never meets it.

    The monthly partitions of 2024, the year most tests settle, are made once here: otherwise every test
    storing records or running a month makes them again inside its own rolled-back transaction.
    """
    import datetime as dt

    from ltci.core.partitions import ensure_partitions

    with django_db_blocker.unblock():
        for table in ("settlement_servicerecord", "settlement_settlementline", "settlement_recordaudit"):
            ensure_partitions(table, dt.date(2024, 12, 1), since=dt.date(2024, 1, 1))
    yield
    import time

    from django.db import connection, connections

    with django_db_blocker.unblock():
        dbname = connection.settings_dict["NAME"]
        connections.close_all()
        deadline = time.monotonic() + 30
        while (left := _other_sessions(dbname)) and time.monotonic() < deadline:
            time.sleep(0.2)
        if left:
            _terminate(dbname)

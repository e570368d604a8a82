"""Two real database connections in one test: a call in a thread (its own Django connection) and a wait
for the moment PostgreSQL shows that thread blocked on a lock (a condition, never a sleep for luck)."""

import threading
import time

import psycopg
from django.db import connection, connections


class InThread:
    """Run fn(**kwargs) in a thread with its own database connection; keep its backend pid, result or error."""

    def __init__(self, fn, **kwargs):
        self.pid = self.result = self.error = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._target, args=(fn, kwargs), daemon=True)
        self._thread.start()
        assert self._started.wait(30), "the thread did not connect"

    def _target(self, fn, kwargs):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self._started.set()
            self.result = fn(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which asserts on it
            self.error = exc
        finally:
            self._started.set()
            connections.close_all()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self):
        self._thread.join(120)
        assert not self._thread.is_alive(), "the thread did not finish"
        return self


def other_connection():
    """A second autocommit connection to the test database (another session, as another process would hold)."""
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        dbname=s["NAME"],
        autocommit=True,
    )


def wait_until_blocked(call: InThread, timeout: float = 60) -> str:
    """Return the lock type the thread's backend waits for, once it waits (polled from a third connection:
    a transaction sees pg_stat_activity as of its first read). Fail if the thread ends instead."""
    deadline = time.monotonic() + timeout
    with other_connection() as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                "SELECT wait_event_type, wait_event FROM pg_stat_activity WHERE pid = %s", [call.pid]
            ).fetchone()
            if row and row[0] == "Lock":
                return row[1]
            assert call.running, f"the thread finished without waiting for a lock: {call.error!r}"
            time.sleep(0.02)
    raise AssertionError("the thread never waited for a lock")

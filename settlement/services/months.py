"""A month's settlement versions and the month's lock (SPEC 7.2): the run's write and every state transition
of the month's versions take the lock first, so they happen one after the other."""

import datetime as dt
import zlib

from django.db import connection

from ..models import SettlementRun


class SettlementError(Exception):
    """A settlement action refused with a human-readable reason."""


MONTH_LOCK = zlib.crc32(b"settlement.month") - 2**31  # first key of pg_advisory_xact_lock(int, int)
FINAL_STATES = (SettlementRun.State.APPROVED, SettlementRun.State.PAID)


def latest_run(month: dt.date) -> SettlementRun | None:
    return SettlementRun.objects.filter(month=month).order_by("-version").first()


def final_run(month: dt.date) -> SettlementRun | None:
    """The month's approved or paid version (the database allows one)."""
    return SettlementRun.objects.filter(month=month, state__in=FINAL_STATES).first()


def lock_month(month: dt.date) -> None:
    """Wait for and hold the month's lock until the transaction ends: the run's write and every state
    transition of the month's versions take it first, so they happen one after the other."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_month needs a transaction (the lock is released when it ends)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK, month.year * 100 + month.month])


def refuse_final(month: dt.date) -> None:
    """Refuse to run a month whose settlement is approved or paid."""
    final = final_run(month)
    if final:
        raise SettlementError(
            f"the settlement of {month:%Y-%m} is {final.state} (version {final.version}) and cannot be run "
            "again: corrections are adjustment lines in a later month"
        )

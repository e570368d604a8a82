"""Celery tasks of the benefits app: take ids/strings, call one service, safe to run twice."""

import datetime as dt

from celery import shared_task
from django.utils import timezone


@shared_task(name="benefits.tasks.end_decisions_daily")
def end_decisions_daily(on: str | None = None) -> dict:
    """End benefit decisions on death, move-out, expiry or downgrade (SPEC 5.4, 9)."""
    from ltci.core.jobs import job_lock

    from .services.housekeeping import end_decisions_daily as run

    day = dt.date.fromisoformat(on) if on else timezone.localdate()
    with job_lock("benefits.end_decisions_daily", day.isoformat()):
        return run(on=day)

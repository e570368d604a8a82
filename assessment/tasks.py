"""Celery tasks of the assessment app: take ids or ISO dates, call one service, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from ltci.core.dates import parse_iso_date


@shared_task(name="assessment.tasks.assessment_daily")
def assessment_daily(on: str | None = None) -> dict:
    """Daily housekeeping (SPEC 9): expiry reminders, then expiry events, for ``on`` (default today)."""
    from .services import conclusions_expire, expiry_reminders_create

    day = parse_iso_date(on) if on else timezone.localdate()
    return {"reminders": expiry_reminders_create(on=day), "expired": conclusions_expire(on=day)}

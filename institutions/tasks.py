"""Daily housekeeping of agreements (SPEC 6, 9): liability insurance warnings/suspensions, expiry."""

from celery import shared_task

from .services import agreements_expire, insurance_check


@shared_task(name="institutions.tasks.agreement_daily_check")
def agreement_daily_check(on: str | None = None) -> dict:
    """Warn 30 days before insurance expiry, suspend at expiry, mark ended agreements (safe to rerun)."""
    import datetime as dt

    day = dt.date.fromisoformat(on) if on else None
    counts = insurance_check(on=day)
    counts["expired"] = agreements_expire(on=day)
    return counts

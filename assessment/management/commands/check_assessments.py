"""SPEC 9 daily job by hand: expiry reminders and expiry events of assessment conclusions (same as the task)."""

from ltci.core.commands import DayJobCommand


class Command(DayJobCommand):
    help = (
        "Run the daily assessment housekeeping now (SPEC 4.3, 9): remind N days before a conclusion "
        "expires and record the expiry of conclusions past validity. Safe to run twice."
    )

    def run(self, on):
        from assessment.tasks import assessment_daily

        result = assessment_daily(on.isoformat() if on else None)
        return f"{result['reminders']} reminders, {result['expired']} conclusions expired"

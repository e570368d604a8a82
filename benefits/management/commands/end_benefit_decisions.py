"""SPEC 9 daily job by hand: end benefit decisions on death, move-out, expiry or downgrade (same as the task)."""

from ltci.core.commands import DayJobCommand


class Command(DayJobCommand):
    help = (
        "End benefit decisions on death, move-out, conclusion expiry or downgrade (daily job, SPEC 5.4, 9)."
    )

    def run(self, on):
        from benefits.tasks import end_decisions_daily

        result = end_decisions_daily(on.isoformat() if on else None)
        return ", ".join(f"{k} {v}" for k, v in sorted(result.items()))

"""SPEC 9 daily job by hand: liability-insurance warnings and suspensions, ended agreements (same as the task)."""

from institutions.services import agreements_expire, insurance_check
from ltci.core.commands import DayJobCommand


class Command(DayJobCommand):
    help = (
        "Run the daily agreement check now (SPEC 6, 9): warn 30 days before the liability insurance expires, "
        "suspend at expiry, mark ended agreements expired. Safe to run twice."
    )

    def run(self, on):
        counts = insurance_check(on=on)
        counts["expired"] = agreements_expire(on=on)
        return (
            f"{counts['warned']} warned, {counts['suspended']} suspended, "
            f"{counts['expired']} agreements expired"
        )

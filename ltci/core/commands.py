"""Base of the commands that start a scheduled job by hand (SPEC 9: every job also runs from a command)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from .dates import parse_iso_date
from .jobs import JobAlreadyRunning


class DayJobCommand(BaseCommand):
    """A daily job for one day: `--on YYYY-MM-DD` (default today); a job already running is an error."""

    def add_arguments(self, parser):
        parser.add_argument("--on", default=None, help="the day of the run (YYYY-MM-DD), default today")

    def run(self, on: dt.date | None) -> str:
        """Run the job for ``on`` (None: today) and return the summary line to print."""
        raise NotImplementedError

    def handle(self, *args, on=None, **options):
        try:
            day = parse_iso_date(on) if on is not None else None
        except ValueError as exc:
            raise CommandError(f"--on: {exc}") from None
        try:
            summary = self.run(day)
        except JobAlreadyRunning as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary)

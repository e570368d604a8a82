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


class YearCsvCommand(BaseCommand):
    """A CSV export of one year to stdout: `--year YYYY`; a policy that cannot answer is an error."""

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="YYYY")

    def header(self) -> tuple:
        raise NotImplementedError

    def rows(self, year: int):
        """The rows of the year (an iterator may raise PolicyError at its first row)."""
        raise NotImplementedError

    def handle(self, *args, year=None, **options):
        import csv
        import re

        from .policy import PolicyError

        if not re.fullmatch(r"\d{4}", (year or "").strip()):
            raise CommandError(f"--year must be a four-digit year (YYYY), not {year!r}")
        writer = csv.writer(self.stdout, lineterminator="\n")
        try:
            rows = iter(self.rows(int(year)))
            first = next(rows, None)
            writer.writerow(self.header())
            if first is not None:
                writer.writerow(first)
                writer.writerows(rows)
        except PolicyError as exc:
            raise CommandError(str(exc)) from None

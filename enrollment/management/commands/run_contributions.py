from django.core.management.base import BaseCommand, CommandError

from ltci.core.dates import parse_iso_date
from ltci.core.jobs import JobAlreadyRunning
from ltci.core.policy import PolicyError


class Command(BaseCommand):
    help = "Run the yearly contribution run (SPEC 11.5): --year YYYY [--on YYYY-MM-DD booking date]."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--on", help="booking date of the transfers (default today)")
        parser.add_argument("--chunk-size", type=int, default=None, help="persons per chunk (id range)")

    def handle(self, year, on, chunk_size, **options):
        from enrollment.services.run import contribution_run_year

        try:
            day = parse_iso_date(on) if on else None
            kwargs = {"chunk_size": chunk_size} if chunk_size else {}
            run = contribution_run_year(year=year, on=day, **kwargs)
        except (JobAlreadyRunning, PolicyError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"contribution run {year}: {run.state}, {run.done}/{run.total} persons; {run.message}"
        )

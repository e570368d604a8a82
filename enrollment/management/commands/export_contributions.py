import csv
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ltci.core.policy import PolicyError


class Command(BaseCommand):
    help = (
        "Print one CSV row per person insured in the year with the contribution split and status (SPEC 11.5)"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="YYYY")

    def handle(self, year, **options):
        from enrollment.selectors import EXPORT_HEADER, contribution_export_rows

        if not re.fullmatch(r"\d{4}", (year or "").strip()):
            raise CommandError(f"--year must be a four-digit year (YYYY), not {year!r}")
        writer = csv.writer(self.stdout, lineterminator="\n")
        try:
            rows = contribution_export_rows(int(year), today=timezone.localdate())
            first = next(rows, None)
            writer.writerow(EXPORT_HEADER)
            if first is not None:
                writer.writerow(first)
                writer.writerows(rows)
        except PolicyError as exc:
            raise CommandError(str(exc)) from None

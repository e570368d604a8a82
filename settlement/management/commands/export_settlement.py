from django.core.management.base import BaseCommand, CommandError

from ltci.core.dates import parse_month
from settlement.services.run import SettlementError, export_csv


class Command(BaseCommand):
    help = "Print the lines of the month's latest settlement run as CSV (SPEC 11.5)"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, month, **options):
        try:
            first = parse_month(month)
            self.stdout.write(export_csv(first), ending="")
        except (ValueError, SettlementError) as exc:
            raise CommandError(str(exc)) from None

from django.core.management.base import BaseCommand, CommandError

from ltci.core.dates import parse_month
from ltci.core.policy import PolicyError
from settlement.services.run import SettlementError, settlement_run


class Command(BaseCommand):
    help = "Run the monthly settlement (SPEC 7.2, 11.5): python manage.py run_settlement --month YYYY-MM"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")

    def handle(self, month, **options):
        try:
            first = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            run = settlement_run(month=first)
        except (SettlementError, PolicyError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"settlement {month} version {run.version} ({run.get_state_display()}): "
            f"{run.record_count} records, {run.line_count} lines, fund {run.fund_total}"
        )

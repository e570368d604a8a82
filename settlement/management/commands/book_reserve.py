from django.core.management.base import BaseCommand, CommandError

from settlement.services.reports import ReserveError, reserve_book


class Command(BaseCommand):
    help = "Book the year's reserve (调剂金) drawn from the surplus, where the scheme has one (SPEC 7.3, seed 003)"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, year, **options):
        try:
            reserve = reserve_book(year=year)
        except ReserveError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"{reserve.year}: income {reserve.income}, expenditure {reserve.expenditure}, "
            f"fiscal share {reserve.fiscal_share}, reserve {reserve.amount}"
        )

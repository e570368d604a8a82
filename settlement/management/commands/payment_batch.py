from django.core.management.base import BaseCommand, CommandError

from ltci.core.dates import parse_month
from settlement.services.months import final_run
from settlement.services.payments import PaymentError, bank_file, bank_file_name, payment_batch_create


class Command(BaseCommand):
    help = (
        "Make the next payment batch of an approved month and write its bank file (docs/operations.md); "
        "the first batch holds every payment, later ones the re-issues of corrected failed payments"
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--layout", default=None, help="a layout of LTCI_BANK_FILE_LAYOUTS")
        parser.add_argument("--out", default=None, help="file to write (default bank-<batch>.csv here)")

    def handle(self, month, layout=None, out=None, **options):
        try:
            run = final_run(parse_month(month))
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if run is None:
            raise CommandError(f"{month}: no approved settlement", returncode=2)
        try:
            batch = payment_batch_create(run=run, layout=layout)
            body = bank_file(batch=batch)
        except PaymentError as exc:
            raise CommandError(str(exc), returncode=2) from None
        path = out or bank_file_name(batch)
        with open(path, "wb") as handle:
            handle.write(body)
        self.stdout.write(f"{batch.number}: {batch.payments.count()} payments, bank file {path}")

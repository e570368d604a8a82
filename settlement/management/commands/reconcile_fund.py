import sys

from django.core.management.base import BaseCommand

from settlement.services.fund import ledger_sync, reconcile
from settlement.services.payments import payments_reconcile


class Command(BaseCommand):
    help = (
        "Prove that the fund ledger equals the source records (SPEC 7.3, 12) and that statements, payouts, "
        "payments, bank returns and the ledger agree (issue 19); exit 1 with the differences"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync",
            action="store_true",
            help="repair: post source records missing from the ledger first (the ledger follows its sources "
            "by itself; this is for rows written while its triggers were disabled)",
        )

    def handle(self, sync=False, **options):
        if sync:
            self.stdout.write(f"posted {ledger_sync()} new ledger entries")
        differences, totals = reconcile()
        for account, (total, n) in totals.items():
            self.stdout.write(f"{account}: {n} entries, {total}")
        payment_differences, payment_totals = payments_reconcile()
        for state, (n, total) in payment_totals.items():
            self.stdout.write(f"payments {state}: {n}, {total:.2f}")
        differences = [*differences, *payment_differences]
        self.stdout.write(f"{len(differences)} differences")
        for difference in differences:
            self.stderr.write(str(difference))
        if differences:
            sys.exit(1)

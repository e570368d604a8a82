from ltci.core.importing import ImportCommand
from settlement.imports import import_bank_return


class Command(ImportCommand):
    help = (
        "Read a bank return file (issue 19; docs/operations.md): reference, account_no, amount, status "
        "(paid|failed), value_date, reason; marks each payment paid or failed"
    )
    importer = import_bank_return

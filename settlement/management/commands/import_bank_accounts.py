from ltci.core.importing import ImportCommand
from settlement.imports import import_bank_accounts


class Command(ImportCommand):
    help = (
        "Import bank accounts (issue 19): CSV or XLSX with national_id or institution_code, bank_code, "
        "bank_name, account_no, holder_name"
    )
    importer = import_bank_accounts

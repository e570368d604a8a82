from enrollment.imports import import_employer_payments
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import employer payment records (employer_code, year, amount, paid_on, reference), seed 004."
    importer = import_employer_payments

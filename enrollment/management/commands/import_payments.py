from enrollment.imports import import_payments
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import a file of SPEC 11 (CSV or XLSX): see enrollment/imports.py for the columns."
    importer = import_payments

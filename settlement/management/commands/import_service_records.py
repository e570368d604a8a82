from ltci.core.importing import ImportCommand
from settlement.imports import import_service_records


class Command(ImportCommand):
    help = "Import service records (SPEC 11.4): CSV or XLSX with institution_code, national_id, kind, ..."
    importer = import_service_records

from institutions.imports import INSTITUTION_COLUMNS, import_institutions
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import agreement institutions from an earlier pilot system (SPEC 11.7): " + ", ".join(
        INSTITUTION_COLUMNS
    )
    importer = import_institutions

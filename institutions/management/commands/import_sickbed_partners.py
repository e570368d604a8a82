from institutions.imports import SICKBED_PARTNER_COLUMNS, import_sickbed_partners
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import home sickbed partnerships (seed 001 家庭病床): " + ", ".join(SICKBED_PARTNER_COLUMNS)
    importer = import_sickbed_partners

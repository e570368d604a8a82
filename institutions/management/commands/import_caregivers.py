from institutions.imports import CAREGIVER_COLUMNS, import_caregivers
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import caregivers and their employments (SPEC 11.7): " + ", ".join(CAREGIVER_COLUMNS)
    importer = import_caregivers

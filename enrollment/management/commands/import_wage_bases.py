from enrollment.imports import import_wage_bases
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import wage bases per person and year (national_id, year, employer_code, wage_base), seed 004."
    importer = import_wage_bases

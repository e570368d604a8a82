from enrollment.imports import import_family_relations
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import the relations register (payer_national_id, national_id, relation: parent|spouse|child)."
    importer = import_family_relations

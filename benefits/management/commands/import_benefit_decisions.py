from benefits.imports import import_benefit_decisions
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import benefit decisions (SPEC 11.7): national_id, care_form, institution_code, carer_trained, "
        "starts_on, ends_on."
    )
    importer = import_benefit_decisions

from benefits.imports import import_other_fund_benefits
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import work-injury and maternity benefits (SPEC 5.1 condition 5): national_id, fund "
        "(work_injury|maternity), starts_on, ends_on, reference."
    )
    importer = import_other_fund_benefits

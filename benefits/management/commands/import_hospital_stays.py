from benefits.imports import import_hospital_stays
from ltci.core.importing import ImportCommand


class Command(ImportCommand):
    help = "Import hospital stays (SPEC 11.3): national_id, admitted_on, discharged_on, hospital."
    importer = import_hospital_stays

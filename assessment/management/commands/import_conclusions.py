"""SPEC 11.7: python manage.py import_conclusions FILE (CSV or XLSX)."""

from ltci.core.importing import ImportCommand

from ...imports import import_conclusions


class Command(ImportCommand):
    help = (
        "Import final assessment conclusions from an earlier pilot: national_id, grade, concluded_on, "
        "valid_until, agency_code (SPEC 11.7)."
    )
    importer = import_conclusions

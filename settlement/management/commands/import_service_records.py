from django.core.management.base import BaseCommand

from ltci.core.importing import command_import
from settlement.imports import import_service_records


class Command(BaseCommand):
    help = "Import service records (SPEC 11.4): CSV or XLSX with institution_code, national_id, kind, ..."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        command_import(self, file, import_service_records)

from django.core.management.base import BaseCommand

from institutions.imports import INSTITUTION_COLUMNS, import_institutions
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = "Import agreement institutions from an earlier pilot system (SPEC 11.7): " + ", ".join(INSTITUTION_COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        command_import(self, file, import_institutions)

from django.core.management.base import BaseCommand

from enrollment.imports import import_payments
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = "Import a file of SPEC 11 (CSV or XLSX): see enrollment/imports.py for the columns."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        command_import(self, file, import_payments)

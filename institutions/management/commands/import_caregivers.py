from django.core.management.base import BaseCommand

from institutions.imports import CAREGIVER_COLUMNS, import_caregivers
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = "Import caregivers and their employments (SPEC 11.7): " + ", ".join(CAREGIVER_COLUMNS)

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        command_import(self, file, import_caregivers)

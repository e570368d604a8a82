"""SPEC 11.7: python manage.py import_conclusions FILE (CSV or XLSX)."""
from django.core.management.base import BaseCommand

from ltci.core.importing import command_import

from ...imports import import_conclusions


class Command(BaseCommand):
    help = "Import final assessment conclusions from an earlier pilot: national_id, grade, concluded_on, " \
           "valid_until, agency_code (SPEC 11.7)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        command_import(self, options["file"], import_conclusions)

from django.core.management.base import BaseCommand

from benefits.imports import import_hospital_stays
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = "Import hospital stays (SPEC 11.3): national_id, admitted_on, discharged_on, hospital."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        command_import(self, options["file"], import_hospital_stays)

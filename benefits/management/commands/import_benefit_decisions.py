from django.core.management.base import BaseCommand

from benefits.imports import import_benefit_decisions
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = ("Import benefit decisions (SPEC 11.7): national_id, care_form, institution_code, carer_trained, "
            "starts_on, ends_on.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        command_import(self, options["file"], import_benefit_decisions)

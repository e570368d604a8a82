from django.core.management.base import BaseCommand

from benefits.imports import import_other_fund_benefits
from ltci.core.importing import command_import


class Command(BaseCommand):
    help = ("Import work-injury and maternity benefits (SPEC 5.1 condition 5): national_id, fund "
            "(work_injury|maternity), starts_on, ends_on, reference.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        command_import(self, options["file"], import_other_fund_benefits)

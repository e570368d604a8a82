from django.core.management.base import BaseCommand

from settlement.services.reports import deposits_release


class Command(BaseCommand):
    help = "Release the year's withheld quality deposits according to the annual appraisal (SPEC 6, 9)"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, year, **options):
        for release in deposits_release(year=year):
            self.stdout.write(
                f"{release.institution_id}: withheld {release.withheld}, rate {release.release_rate}, "
                f"released {release.released}"
            )

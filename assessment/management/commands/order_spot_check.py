"""Office-ordered spot reassessments (抽查复评, SPEC 4.3): a random sample reproducible by its seed."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ltci.core.dates import parse_iso_date


class Command(BaseCommand):
    help = (
        "Sample SIZE persons with a conclusion in force (grade >= --min-grade, no open application) with "
        "--seed and open accepted spot-check reassessments for them; --dry-run only prints the sample."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, required=True, help="number of persons to sample")
        parser.add_argument(
            "--seed", type=int, required=True, help="random seed (the same seed, the same sample)"
        )
        parser.add_argument("--on", default=None, help="order date (YYYY-MM-DD), default today")
        parser.add_argument("--min-grade", type=int, default=1, help="lowest grade sampled (default 1)")
        parser.add_argument("--note", default="", help="note recorded on the spot check")
        parser.add_argument("--dry-run", action="store_true", help="print the sample, write nothing")

    def handle(self, *args, size, seed, on=None, min_grade=1, note="", dry_run=False, **options):
        from assessment.models import Application
        from assessment.services.conclusions import AssessmentError
        from assessment.services.housekeeping import spot_check_order, spot_check_sample
        from enrollment.models import Person

        try:
            day = parse_iso_date(on) if on else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--on: {exc}") from None
        if size <= 0:
            raise CommandError("--size must be at least 1")
        if not 0 <= min_grade <= 5:
            raise CommandError("--min-grade must be 0-5")
        if dry_run:
            ids = spot_check_sample(on=day, size=size, seed=seed, min_grade=min_grade)
            for national_id in (
                Person.objects.filter(pk__in=ids).order_by("pk").values_list("national_id", flat=True)
            ):
                self.stdout.write(national_id)
            self.stdout.write(f"{len(ids)} persons sampled (dry run, nothing written)")
            return
        try:
            spot = spot_check_order(on=day, size=size, seed=seed, min_grade=min_grade, note=note)
        except AssessmentError as exc:
            raise CommandError(str(exc)) from None
        numbers = [a.number for a in Application.objects.filter(spot_check=spot).order_by("id")]
        for number in numbers:
            self.stdout.write(number)
        self.stdout.write(f"spot check {spot.pk}: {len(numbers)} reassessments opened (seed {seed})")

from django.core.management.base import BaseCommand, CommandError

from ltci.core.policy import PolicyError
from ltci.core.policy_files import export_pack, scheme_for_export


class Command(BaseCommand):
    help = (
        "Print a policy scheme's records (staff edits included) as a pack file (SPEC 2) that "
        "`load_policy PATH.yaml` loads back to the same records. Default: the active scheme."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "scheme", nargs="?", default=None, help="scheme code (default: the active scheme)"
        )

    def handle(self, scheme=None, **options):
        try:
            text = export_pack(scheme_for_export(scheme))
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text, ending="")

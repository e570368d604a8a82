from django.core.management.base import BaseCommand, CommandError

from ltci.core.policy import PolicyError, available_packs, load_pack
from ltci.core.policy_files import PolicyFileError


class Command(BaseCommand):
    help = (
        "Load a policy pack (SPEC 2) idempotently and make it the scheme calculations use: a shipped pack's "
        "code or the path of a pack file. A file with any error is refused whole (exit status 2)."
    )

    def add_arguments(self, parser):
        parser.add_argument("pack", help=f"one of: {', '.join(available_packs())}, or PATH.yaml")
        parser.add_argument(
            "--no-activate", action="store_true", help="load without making it the active scheme"
        )

    def handle(self, pack, no_activate=False, **options):
        try:
            scheme, created, unchanged = load_pack(pack, activate=not no_activate)
        except PolicyFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
        state = "active" if scheme.active else "loaded"
        self.stdout.write(f"{scheme.code}: {created} records created, {unchanged} unchanged ({state})")

from django.core.management.base import BaseCommand, CommandError

from ltci.core.policy import PolicyError, available_packs, load_pack


class Command(BaseCommand):
    help = "Load a policy pack (SPEC 2) idempotently and make it the scheme calculations use."

    def add_arguments(self, parser):
        parser.add_argument("pack", help=f"one of: {', '.join(available_packs())}")
        parser.add_argument("--no-activate", action="store_true", help="load without making it the active scheme")

    def handle(self, pack, no_activate=False, **options):
        try:
            scheme, created, unchanged = load_pack(pack, activate=not no_activate)
        except PolicyError as exc:
            raise CommandError(str(exc)) from exc
        state = "active" if scheme.active else "loaded"
        self.stdout.write(f"{scheme.code}: {created} records created, {unchanged} unchanged ({state})")

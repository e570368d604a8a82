import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

# Apps in dependency order; each may provide `<app>.demo.seed(*, persons, rng, stdout)`.
DEMO_APPS = ["ltci.core", "institutions", "enrollment", "assessment", "benefits", "settlement", "insured"]


class Command(BaseCommand):
    help = "Load demo data for a Xuzhou-like city (idempotent); --persons N for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=3000)
        parser.add_argument("--seed", type=int, default=20220101)

    def handle(self, persons, seed, **options):
        rng = random.Random(seed)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(persons=persons, rng=rng, stdout=self.stdout)
        self.stdout.write("demo data loaded")

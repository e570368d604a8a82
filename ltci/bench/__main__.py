"""`python -m ltci.bench {NAME|all} [--persons N | --rows N ...]` (see ltci/bench/__init__.py)."""

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from . import REGISTRY


def load_benches() -> None:
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not module.name.startswith("_"):
            importlib.import_module(f"ltci.bench.{module.name}")


def main(argv=None) -> int:
    load_benches()
    parser = argparse.ArgumentParser(prog="python -m ltci.bench")
    sub = parser.add_subparsers(dest="bench", required=True)
    for bench in REGISTRY.values():
        p = sub.add_parser(bench.name, help=bench.help)
        p.add_argument(f"--{bench.size_arg}", type=int, default=bench.default_size, dest="size")
    sub.add_parser("all", help="every registered bench at a modest size")
    args = parser.parse_args(argv)
    names = list(REGISTRY) if args.bench == "all" else [args.bench]
    ok = True
    for name in names:
        bench = REGISTRY[name]
        size = bench.all_size if args.bench == "all" else args.size
        result = bench.func(size)
        ok = ok and bool(result.get("equal", True))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
